import type { CostStatus, CostStatusReason, PriceMatch, PriceSource } from './semconv.js';

/**
 * One normalized usage record: the token ledger.
 *
 * Semconv meaning, whatever the provider reported:
 * - `inputTokens` includes `cacheReadTokens` and `cacheWriteTokens`;
 * - `outputTokens` includes `reasoningTokens`;
 * - audio and image tokens are included in input/output too, and listed apart
 *   because they are priced apart.
 * Converters in `ledger/` settle each provider's own meaning into this one.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache-creation tokens; `cacheWrite5mTokens + cacheWrite1hTokens` when those are known. */
  cacheWriteTokens: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens: number;
  inputAudioTokens?: number;
  outputAudioTokens?: number;
  inputImageTokens?: number;
  outputImageTokens?: number;
  /** Billable request units; 1 for an ordinary call. */
  requests: number;
}

/**
 * A provider's usage that could not be trusted (negative, NaN, fractional or
 * absurd counts, or parts larger than their whole). Ledger converters return it
 * instead of throwing; pricing turns it into `unpriced` / `invalid_usage`.
 */
export interface InvalidUsage {
  invalidUsage: true;
  /** The offending field, as the provider named it (e.g. `usage.prompt_tokens`). */
  field: string;
  value: unknown;
  message: string;
}

/** What a ledger converter returns: usage, rejected usage, or `undefined` when the provider sent none. */
export type LedgerResult = TokenUsage | InvalidUsage | undefined;

/** Money is integer nano-units of the currency (1 USD = 1_000_000_000n). Never a float. */
export type Nanos = bigint;

export interface CostBreakdown {
  input: Nanos;
  cacheRead: Nanos;
  cacheWrite: Nanos;
  output: Nanos;
  other: Nanos;
  /** Exactly the sum of the components. */
  total: Nanos;
}

export interface CostResult {
  status: CostStatus;
  /** Set when status is `unpriced` or `estimated`. */
  reason?: CostStatusReason;
  currency: 'USD';
  /** Absent when unpriced: an unknown cost is never 0. */
  cost?: CostBreakdown;
  priceSource?: PriceSource;
  priceVersion?: string;
  /** Catalogue ids the price was found under. */
  providerId?: string;
  modelId?: string;
  /** How the call was matched to its price (`aicost.price.match`). */
  match?: PriceMatch;
  /** What the provider or gateway stated it billed, as it wrote it (`aicost.cost.reported`). */
  reported?: ReportedCost;
  /** With a reported cost: the total aicost computes from the list price, when it can (`aicost.cost.computed`). */
  computedTotal?: Nanos;
}

/** A cost a provider or gateway states in its response. */
export interface ReportedCost {
  /** Exact decimal string in USD, as sent (exponent form expanded), e.g. `"0.0000088512345"`. */
  amount: string;
  /** Where it was read, e.g. `openrouter.usage.cost`, `header.x-litellm-response-cost`. */
  source: string;
}

export interface PricingRequest {
  /** `gen_ai.provider.name` (or a catalogue provider id). */
  provider: string;
  /** Prefer the response model (what was actually served), else the request model. */
  model: string;
  usage: TokenUsage | InvalidUsage | undefined;
  /** Prices are looked up for this instant (price history). Default: now. */
  timestamp?: Date;
  /** The server the request went to: decides the provider when it is a known host (see `routeCall`). */
  serverAddress?: string;
  serverPort?: number;
  /** Request duration, for self-hosted rates per GPU-hour. */
  durationSeconds?: number;
  /** A cost the provider reported itself, in nano-USD (e.g. OpenRouter). */
  providerReportedCost?: Nanos;
  /** The same, exactly as reported, with its source; takes precedence over `providerReportedCost`. */
  reportedCost?: ReportedCost;
  /** The service tier that served the call, as the response spells it (`flex`, `batch`...). Absent: standard. */
  serviceTier?: string;
}

/** The standard attribution keys plus any user-defined ones. */
export interface Attribution {
  feature?: string;
  customer?: string;
  workflow?: string;
  team?: string;
  segment?: string;
  [custom: string]: string | undefined;
}
