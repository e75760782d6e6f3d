import { formatDecimal, parseDecimal } from '../money/decimal.js';
import { nanosOfRatio } from '../money/nanos.js';
import type { ProviderRecord } from '../providers/registry.js';
import type { Nanos, ReportedCost } from '../types.js';

/**
 * A reported cost above this is not a call's cost but a broken or hostile value: it is ignored
 * (the call is then priced from the list price as if nothing was reported).
 */
const MAX_REPORTED_USD = 100_000n;

/**
 * A cost stated as text (a response header such as LiteLLM's `x-litellm-response-cost`, which
 * Python may write in exponent form, `1.2e-05`), as an exact decimal string in USD. `undefined`
 * for anything that is not a non-negative decimal below the sanity bound.
 */
export function reportedCostFromText(
  text: string | null | undefined,
  source: string,
): ReportedCost | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const value = parseDecimal(text);
  if (!value || value.units < 0n) return undefined;
  const cost = { amount: formatDecimal(value), source };
  return reportedCostNanos(cost) === undefined ? undefined : cost;
}

/**
 * A cost stated as a JSON number (OpenRouter `usage.cost`). `JSON.parse` has already made it a
 * float; `String()` gives back the shortest decimal that reads as the same float, which is the
 * provider's own digits whenever it sent at most 15 significant digits (OpenRouter sends far
 * fewer). That decimal is kept exactly, never through float arithmetic.
 */
export function reportedCostFromNumber(value: unknown, source: string): ReportedCost | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return reportedCostFromText(String(value), source);
}

/** The dotted field names of the registry, split once. */
const fieldPaths = new Map<string, readonly string[]>();

/**
 * The cost `provider` states in a response body, at the field its registry record names
 * (`reportedCost: { in: 'body', field }`, OpenRouter's `usage.cost` in USD), exactly as sent
 * and with `body.<field>` as its source. `undefined` when the record states no cost in the body
 * or the field holds no sane amount.
 */
export function reportedCostFromBody(
  body: unknown,
  provider: ProviderRecord | undefined,
): ReportedCost | undefined {
  const reported = provider?.reportedCost;
  if (reported?.in !== 'body') return undefined;
  let path = fieldPaths.get(reported.field);
  if (!path) {
    path = reported.field.split('.');
    fieldPaths.set(reported.field, path);
  }
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return reportedCostFromNumber(value, `body.${reported.field}`);
}

/** The reported cost in nano-USD, rounded half up; `undefined` when it is not a sane amount. */
export function reportedCostNanos(cost: ReportedCost): Nanos | undefined {
  const value = parseDecimal(cost.amount);
  if (!value || value.units < 0n) return undefined;
  const nanos = nanosOfRatio([value]);
  return nanos > MAX_REPORTED_USD * 1_000_000_000n ? undefined : nanos;
}
