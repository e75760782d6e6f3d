import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Counter,
  context,
  type Histogram,
  type Meter,
  metrics,
} from '@opentelemetry/api';
import { getAttributionValue } from '../attribution/context.js';
import { nanosToNumber } from '../money/index.js';
import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  COST_STATUS,
  GEN_AI_TOKEN_TYPE,
  METRIC_AICOST_COST,
  METRIC_AICOST_UNPRICED_REQUESTS,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '../semconv.js';
import type { CostResult, TokenUsage } from '../types.js';
import {
  CustomerLabelLimiter,
  type CustomerLabelOptions,
  customerLabelsEnabledFromEnv,
  LabelLimiter,
  labelLimitFromEnv,
  sharedCustomerLabelLimiter,
  sharedLabelLimiter,
} from './customer-labels.js';

/** Semconv explicit bucket boundaries advice for `gen_ai.client.token.usage`. */
export const TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Semconv explicit bucket boundaries advice for `gen_ai.client.operation.duration` (seconds); reused for time to first chunk. */
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Attributes the semconv allows on the GenAI client metrics; everything else on a span is dropped. */
const SEMCONV_METRIC_KEYS = [
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_ERROR_TYPE,
] as const;

/** What one GenAI call reports to {@link GenAIMetrics.record}. */
export interface GenAICallMeasurement {
  /**
   * The call's span attributes (or any map using the semconv names):
   * `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
   * `gen_ai.response.model`, `server.address`, `server.port`, `error.type`, and
   * optionally `aicost.feature` / `aicost.customer`. Other keys are ignored, so
   * passing the whole span attribute map is fine.
   */
  attributes: Attributes;
  /** Token ledger; token histograms are skipped when absent. */
  usage?: TokenUsage;
  /** Pricing result; the cost counter gets its total, the unpriced counter counts `unpriced`. */
  cost?: CostResult;
  /** Whole operation, seconds. */
  durationSeconds?: number;
  /** Streaming calls only: seconds from request to first chunk. */
  timeToFirstChunkSeconds?: number;
  /**
   * Where the call started (its parent context): attribution missing from
   * `attributes` is read from here. Default: the active context.
   */
  context?: Context;
}

export interface GenAIMetricsOptions {
  customer?: CustomerLabelOptions;
  /** Share or isolate the customer label bound (tests); default one per process. */
  customerLimiter?: LabelLimiter;
  /**
   * Distinct values kept per bounded label (`aicost.feature`, `gen_ai.request.model`,
   * `gen_ai.response.model`) before they fold into `other`, for this instance only. Default:
   * one bound per label per process, `AICOST_METRICS_LABEL_LIMIT`, else 100.
   */
  labelLimit?: number;
}

/**
 * Labels whose values the application, or its callers through baggage, choose freely: each is
 * bounded (first-seen values, then `other`), like the customer. The others (provider,
 * operation, token type, server address, error type) come from the instrumentation's code.
 */
const BOUNDED_LABEL_KEYS = [
  ATTR_AICOST_FEATURE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
] as const;

function pick(attributes: Attributes, keys: readonly string[]): Attributes {
  const picked: Attributes = {};
  for (const key of keys) {
    const value: AttributeValue | undefined = attributes[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/**
 * The GenAI client metrics (semconv) plus aicost's cost counters, recorded from
 * one call at a time. Instrumentations create one per meter and call
 * {@link record} when a call ends:
 *
 * ```ts
 * const genAIMetrics = new GenAIMetrics(meter);
 * genAIMetrics.record({ attributes: spanAttributes, usage, cost, durationSeconds, timeToFirstChunkSeconds });
 * ```
 *
 * Never throws: metrics are best effort and must not fail the user's call.
 */
export class GenAIMetrics {
  private readonly tokenUsage: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly cost: Counter;
  private readonly unpriced: Counter;
  private readonly customerLimiter: LabelLimiter | undefined;
  private readonly labelLimiters: ReadonlyMap<string, LabelLimiter>;

  constructor(meter: Meter = metrics.getMeter('@aicost/core'), options: GenAIMetricsOptions = {}) {
    this.tokenUsage = meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_USAGE_BUCKETS },
    });
    this.duration = meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.timeToFirstChunk = meter.createHistogram(METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK, {
      description: 'Time to receive the first chunk of a streamed response.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    // Synchronous on purpose. An observable counter fed from exact bigint sums was tried: with
    // sdk-metrics 3.1 a View dropping a label (customer, response model) then keeps the last series'
    // value instead of the sum, reader cardinality limits fold the wrong deltas, and two copies of this
    // package on one meter overwrite each other's totals.
    this.cost = meter.createCounter(METRIC_AICOST_COST, {
      description:
        'Cost of GenAI calls (priced calls only; unknown costs are counted by aicost.unpriced.requests).',
      unit: 'USD',
    });
    this.unpriced = meter.createCounter(METRIC_AICOST_UNPRICED_REQUESTS, {
      description: 'GenAI calls whose cost is unknown.',
      unit: '{request}',
    });
    this.labelLimiters = new Map(
      BOUNDED_LABEL_KEYS.map((key) => [
        key,
        options.labelLimit !== undefined
          ? new LabelLimiter(options.labelLimit)
          : sharedLabelLimiter(key, () => new LabelLimiter(labelLimitFromEnv())),
      ]),
    );
    const customerEnabled = options.customer?.enabled ?? customerLabelsEnabledFromEnv();
    if (customerEnabled) {
      this.customerLimiter =
        options.customerLimiter ??
        (options.customer?.limit !== undefined
          ? new CustomerLabelLimiter(options.customer.limit)
          : sharedCustomerLabelLimiter());
    }
  }

  record(measurement: GenAICallMeasurement): void {
    try {
      this.recordUnsafe(measurement);
    } catch {
      // Best effort, see class comment.
    }
  }

  private recordUnsafe({
    attributes,
    usage,
    cost,
    durationSeconds,
    timeToFirstChunkSeconds,
    context: callContext,
  }: GenAICallMeasurement): void {
    const semconv = this.bounded(pick(attributes, SEMCONV_METRIC_KEYS));
    if (usage !== undefined) {
      const input = { ...semconv };
      input[ATTR_GEN_AI_TOKEN_TYPE] = GEN_AI_TOKEN_TYPE.INPUT;
      this.tokenUsage.record(usage.inputTokens, input);
      const output = { ...semconv };
      output[ATTR_GEN_AI_TOKEN_TYPE] = GEN_AI_TOKEN_TYPE.OUTPUT;
      this.tokenUsage.record(usage.outputTokens, output);
    }
    if (durationSeconds !== undefined) this.duration.record(durationSeconds, semconv);
    if (timeToFirstChunkSeconds !== undefined) this.timeToFirstChunk.record(timeToFirstChunkSeconds, semconv);
    if (cost !== undefined) this.recordCost(attributes, cost, callContext);
  }

  /** Records `aicost.cost` or `aicost.unpriced.requests` for one call. */
  recordCost(attributes: Attributes, cost: CostResult, callContext: Context = context.active()): void {
    const labels = this.costLabels(attributes, callContext);
    if (cost.status === COST_STATUS.UNPRICED || cost.cost === undefined) {
      labels[ATTR_AICOST_COST_STATUS_REASON] = cost.reason ?? 'unknown';
      this.unpriced.add(1, labels);
      return;
    }
    // Exact bigint nanos become a float once, here: metrics are approximate by nature, spans stay exact.
    labels[ATTR_AICOST_COST_STATUS] = cost.status;
    this.cost.add(nanosToNumber(cost.cost.total), labels);
  }

  /** provider, model, operation, feature, and the bounded customer when opted in. */
  private costLabels(attributes: Attributes, callContext: Context): Attributes {
    const labels = pick(attributes, COST_LABEL_KEYS);
    // A caller without the span's attributes still gets the ambient attribution.
    const feature = attributes[ATTR_AICOST_FEATURE] ?? getAttributionValue(callContext, ATTR_AICOST_FEATURE);
    if (feature !== undefined) labels[ATTR_AICOST_FEATURE] = String(feature);
    this.bounded(labels);
    if (this.customerLimiter !== undefined) {
      const customer =
        attributes[ATTR_AICOST_CUSTOMER] ?? getAttributionValue(callContext, ATTR_AICOST_CUSTOMER);
      if (customer !== undefined) labels[ATTR_AICOST_CUSTOMER] = this.customerLimiter.label(String(customer));
    }
    return labels;
  }

  /** Folds the values of the bounded labels past their limit into `other`, in place. */
  private bounded(labels: Attributes): Attributes {
    for (const [key, limiter] of this.labelLimiters) {
      const value = labels[key];
      if (value !== undefined) labels[key] = limiter.label(String(value));
    }
    return labels;
  }
}

/** The call attributes the cost counters are labelled with, besides feature and customer. */
const COST_LABEL_KEYS = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
] as const;
