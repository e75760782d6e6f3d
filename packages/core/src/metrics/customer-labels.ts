import { envFlag, envValue } from '../instrumentation/config.js';
import { ENV } from '../semconv.js';

/** The label every value past a limit is folded into. */
export const OVERFLOW_LABEL = 'other';
/** The customer label's overflow value (the same `other`). */
export const OTHER_CUSTOMER_LABEL = OVERFLOW_LABEL;
export const DEFAULT_CUSTOMER_LABEL_LIMIT = 100;
/** Distinct values kept per bounded label (feature, request and response model) before `other`. */
export const DEFAULT_LABEL_LIMIT = 100;

/**
 * Bounds the cardinality of one metric label: the first `limit` distinct
 * values seen by this process keep their own label, every later one is
 * reported as `other`. Label values come from the application and, through
 * baggage, from its callers: without a bound, a caller choosing a new value
 * per request creates a new series per request in every metric backend.
 *
 * Why first-seen rather than a true top-N: a label that changes once assigned
 * would split one value's series over time, and a running top-N needs counts
 * for every value (unbounded memory). First-seen is deterministic per process,
 * costs `limit` strings of memory, and keeps every series stable. Exact
 * per-customer and per-feature cost is always in the spans; metrics are for
 * dashboards and alerts.
 */
export class LabelLimiter {
  private readonly kept = new Set<string>();

  constructor(readonly limit: number = DEFAULT_LABEL_LIMIT) {}

  label(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size < this.limit) {
      this.kept.add(value);
      return value;
    }
    return OVERFLOW_LABEL;
  }
}

/** The customer label's limiter (a {@link LabelLimiter} with the customer default). */
export class CustomerLabelLimiter extends LabelLimiter {
  constructor(limit: number = DEFAULT_CUSTOMER_LABEL_LIMIT) {
    super(limit);
  }
}

export interface CustomerLabelOptions {
  /** Put `aicost.customer` on metrics. Default: `AICOST_METRICS_CUSTOMER` (`true`/`1`/`yes`/`on`), else off. */
  enabled?: boolean;
  /** Distinct customers kept before folding into `other`. Default: `AICOST_METRICS_CUSTOMER_LIMIT`, else 100. */
  limit?: number;
}

/** `AICOST_METRICS_CUSTOMER`, read like every aicost flag (`true`/`1`/`yes`/`on`); off when unset. */
export function customerLabelsEnabledFromEnv(): boolean {
  return envFlag(ENV.METRICS_CUSTOMER) ?? false;
}

function limitFromEnv(name: string, fallback: number): number {
  const raw = envValue(name);
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

export function customerLabelLimitFromEnv(): number {
  return limitFromEnv(ENV.METRICS_CUSTOMER_LIMIT, DEFAULT_CUSTOMER_LABEL_LIMIT);
}

/** `AICOST_METRICS_LABEL_LIMIT`, else {@link DEFAULT_LABEL_LIMIT}. */
export function labelLimitFromEnv(): number {
  return limitFromEnv(ENV.METRICS_LABEL_LIMIT, DEFAULT_LABEL_LIMIT);
}

const SHARED_LIMITERS_KEY = Symbol.for('@aicost/core.metric-label-limiters');
type GlobalWithLimiters = typeof globalThis & { [SHARED_LIMITERS_KEY]?: Map<string, LabelLimiter> };

/**
 * One limiter per label key per process, so each bound holds across every
 * instrumentation's metrics rather than per instrumentation, and across the
 * ESM and CommonJS copies of this package (they live on `globalThis`).
 */
export function sharedLabelLimiter(labelKey: string, create: () => LabelLimiter): LabelLimiter {
  const processGlobal = globalThis as GlobalWithLimiters;
  processGlobal[SHARED_LIMITERS_KEY] ??= new Map();
  const limiters = processGlobal[SHARED_LIMITERS_KEY];
  let limiter = limiters.get(labelKey);
  if (limiter === undefined) {
    limiter = create();
    limiters.set(labelKey, limiter);
  }
  return limiter;
}

/** The process's customer label limiter (`AICOST_METRICS_CUSTOMER_LIMIT`). */
export function sharedCustomerLabelLimiter(): LabelLimiter {
  return sharedLabelLimiter('aicost.customer', () => new CustomerLabelLimiter(customerLabelLimitFromEnv()));
}
