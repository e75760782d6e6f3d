import type { Attributes } from '@opentelemetry/api';
import { formatNanos } from '../money/nanos.js';
import {
  ATTR_AICOST_COST_CACHE_READ,
  ATTR_AICOST_COST_CACHE_WRITE,
  ATTR_AICOST_COST_COMPUTED,
  ATTR_AICOST_COST_CURRENCY,
  ATTR_AICOST_COST_INPUT,
  ATTR_AICOST_COST_OTHER,
  ATTR_AICOST_COST_OUTPUT,
  ATTR_AICOST_COST_REPORTED,
  ATTR_AICOST_COST_REPORTED_SOURCE,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_PRICE_MATCH,
  ATTR_AICOST_PRICE_MODEL_ID,
  ATTR_AICOST_PRICE_PROVIDER_ID,
  ATTR_AICOST_PRICE_SOURCE,
  ATTR_AICOST_PRICE_VERSION,
  COST_STATUS,
} from '../semconv.js';
import type { CostResult } from '../types.js';

/**
 * A cost result as span attributes. Always `aicost.cost.status` (and the reason when there
 * is one). With a cost: the total, the currency and the price provenance, plus the five
 * components, except for a provider-reported cost, which has only a total. An unpriced
 * result has NO amount attribute at all: an unknown cost is never written as 0.
 */
export function costAttributes(result: CostResult): Attributes {
  return writeCostAttributes({}, result);
}

/** {@link costAttributes}, written into `target` (one attribute map per span on the hot path); returns `target`. */
export function writeCostAttributes(target: Attributes, result: CostResult): Attributes {
  target[ATTR_AICOST_COST_STATUS] = result.status;
  if (result.reason) target[ATTR_AICOST_COST_STATUS_REASON] = result.reason;
  if (result.match) target[ATTR_AICOST_PRICE_MATCH] = result.match;
  if (result.reported) {
    target[ATTR_AICOST_COST_REPORTED] = result.reported.amount;
    target[ATTR_AICOST_COST_REPORTED_SOURCE] = result.reported.source;
  }
  if (result.computedTotal !== undefined)
    target[ATTR_AICOST_COST_COMPUTED] = formatNanos(result.computedTotal);
  const cost = result.status === COST_STATUS.UNPRICED ? undefined : result.cost;
  if (!cost) return target;
  target[ATTR_AICOST_COST_TOTAL] = formatNanos(cost.total);
  target[ATTR_AICOST_COST_CURRENCY] = result.currency;
  if (result.status !== COST_STATUS.PROVIDER_REPORTED) {
    target[ATTR_AICOST_COST_INPUT] = formatNanos(cost.input);
    target[ATTR_AICOST_COST_CACHE_READ] = formatNanos(cost.cacheRead);
    target[ATTR_AICOST_COST_CACHE_WRITE] = formatNanos(cost.cacheWrite);
    target[ATTR_AICOST_COST_OUTPUT] = formatNanos(cost.output);
    target[ATTR_AICOST_COST_OTHER] = formatNanos(cost.other);
  }
  if (result.priceSource) target[ATTR_AICOST_PRICE_SOURCE] = result.priceSource;
  if (result.priceVersion) target[ATTR_AICOST_PRICE_VERSION] = result.priceVersion;
  if (result.providerId) target[ATTR_AICOST_PRICE_PROVIDER_ID] = result.providerId;
  if (result.modelId) target[ATTR_AICOST_PRICE_MODEL_ID] = result.modelId;
  return target;
}
