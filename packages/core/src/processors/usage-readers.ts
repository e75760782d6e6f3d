import type { Attributes } from '@opentelemetry/api';
import { readGenAIUsage, readOpenInference, readVercelAI, usageToAttributes } from '../ledger/index.js';
import type { LedgerResult } from '../types.js';
import type { UsageDialect } from './foreign-calls.js';

const READERS = {
  semconv: readGenAIUsage,
  'vercel-ai': readVercelAI,
  openinference: readOpenInference,
} as const;

/**
 * The call's token ledger, read with the ledger converter of the span's
 * dialect. The dialect is chosen by the span's shape (see `identifyForeignCall`)
 * rather than by whichever usage names happen to be present: a Vercel AI
 * provider-call span carries both `ai.usage.*` and `gen_ai.usage.*`.
 */
export function readForeignUsage(dialect: UsageDialect, attributes: Attributes): LedgerResult {
  return READERS[dialect](attributes)?.usage;
}

/**
 * Semconv ledger attributes the span lacks (an OpenInference span has no
 * `gen_ai.usage.input_tokens`), so every priced span can be queried by the
 * same token columns. Attributes the span's creator wrote are never replaced.
 */
export function missingLedgerAttributes(usage: LedgerResult, existing: Attributes): Attributes {
  const missing: Attributes = {};
  for (const [key, value] of Object.entries(usageToAttributes(usage))) {
    if (existing[key] === undefined && value !== undefined) missing[key] = value;
  }
  return missing;
}
