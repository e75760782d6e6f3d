import type { LedgerResult } from '../types.js';
import { CountReader, isRecord, pick } from './usage.js';

/**
 * Cohere v2 `usage` (SDK camelCase `billedUnits`/`tokens`, or the REST snake_case),
 * also the v1 `meta` object (`billed_units`).
 *
 * `billed_units` is what Cohere charges (it leaves out e.g. the tokens of its own
 * prompt template); `tokens` is everything the model saw. The ledger takes the
 * billed units when present, else the raw tokens. `cached_tokens` is reported
 * as cache read only when it fits within the input it belongs to.
 */
export function usageFromCohere(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const billed = pick(usage, 'billed_units', 'billedUnits');
  const tokens = pick(usage, 'tokens');
  const counted = isRecord(billed) && hasTokenCounts(billed) ? billed : tokens;
  if (!isRecord(counted)) return undefined;
  const prefix = counted === billed ? 'usage.billed_units.' : 'usage.tokens.';
  const reader = new CountReader();
  const input = reader.first(counted, ['input_tokens', 'inputTokens'], prefix) ?? 0;
  const cached = reader.first(usage, ['cached_tokens', 'cachedTokens'], 'usage.') ?? 0;
  return reader.finish({
    inputTokens: input,
    outputTokens: reader.first(counted, ['output_tokens', 'outputTokens'], prefix) ?? 0,
    cacheReadTokens: cached <= input ? cached : 0,
  });
}

function hasTokenCounts(units: Record<string, unknown>): boolean {
  return ['input_tokens', 'inputTokens', 'output_tokens', 'outputTokens'].some(
    (field) => units[field] !== undefined && units[field] !== null,
  );
}
