export {
  CustomerLabelLimiter,
  type CustomerLabelOptions,
  DEFAULT_CUSTOMER_LABEL_LIMIT,
  DEFAULT_LABEL_LIMIT,
  LabelLimiter,
  OTHER_CUSTOMER_LABEL,
  OVERFLOW_LABEL,
} from './customer-labels.js';
export {
  DURATION_BUCKETS,
  type GenAICallMeasurement,
  GenAIMetrics,
  type GenAIMetricsOptions,
  TOKEN_USAGE_BUCKETS,
} from './genai-metrics.js';
