export {
  CustomerLabelLimiter,
  type CustomerLabelOptions,
  DEFAULT_CUSTOMER_LABEL_LIMIT,
  OTHER_CUSTOMER_LABEL,
} from './customer-labels.js';
export {
  DURATION_BUCKETS,
  type GenAICallMeasurement,
  GenAIMetrics,
  type GenAIMetricsOptions,
  TOKEN_USAGE_BUCKETS,
} from './genai-metrics.js';
