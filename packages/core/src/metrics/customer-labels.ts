import { envFlag, envValue } from '../instrumentation/config.js';
import { ENV } from '../semconv.js';

/** The label every customer past the limit is folded into. */
export const OTHER_CUSTOMER_LABEL = 'other';
export const DEFAULT_CUSTOMER_LABEL_LIMIT = 100;

/**
 * Bounds the cardinality of the customer metric label: the first `limit`
 * distinct customers seen by this process keep their own label, every later
 * one is reported as `other`.
 *
 * Why first-seen rather than a true top-N by spend: a label that changes once
 * assigned would split one customer's series over time, and a running top-N
 * needs counts for every customer (unbounded memory). First-seen is
 * deterministic per process, costs `limit` strings of memory, and keeps every
 * series stable. Exact per-customer cost is always in the spans; metrics are
 * for dashboards and alerts.
 */
export class CustomerLabelLimiter {
  private readonly kept = new Set<string>();

  constructor(readonly limit: number = DEFAULT_CUSTOMER_LABEL_LIMIT) {}

  label(customer: string): string {
    if (this.kept.has(customer)) return customer;
    if (this.kept.size < this.limit) {
      this.kept.add(customer);
      return customer;
    }
    return OTHER_CUSTOMER_LABEL;
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

export function customerLabelLimitFromEnv(): number {
  const raw = envValue(ENV.METRICS_CUSTOMER_LIMIT);
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : DEFAULT_CUSTOMER_LABEL_LIMIT;
}

const SHARED_LIMITER_KEY = Symbol.for('@aicost/core.customer-label-limiter');
type GlobalWithLimiter = typeof globalThis & { [SHARED_LIMITER_KEY]?: CustomerLabelLimiter };

/**
 * One limiter per process by default, so the bound holds across every
 * instrumentation's metrics rather than per instrumentation, and across the
 * ESM and CommonJS copies of this package (it lives on `globalThis`).
 */
export function sharedCustomerLabelLimiter(): CustomerLabelLimiter {
  const processGlobal = globalThis as GlobalWithLimiter;
  processGlobal[SHARED_LIMITER_KEY] ??= new CustomerLabelLimiter(customerLabelLimitFromEnv());
  return processGlobal[SHARED_LIMITER_KEY];
}
