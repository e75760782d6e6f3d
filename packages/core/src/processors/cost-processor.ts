import { type Attributes, type Context, diag, metrics, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { GenAIMetrics, type GenAIMetricsOptions } from '../metrics/genai-metrics.js';
import { costAttributes, priceUsage } from '../pricing/index.js';
import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_SERVICE_TIER,
  ATTR_AICOST_USAGE_SOURCE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
} from '../semconv.js';
import type { CostResult, LedgerResult, PricingRequest } from '../types.js';
import { type ForeignCall, identifyForeignCall } from './foreign-calls.js';
import { missingLedgerAttributes, readForeignUsage } from './usage-readers.js';

export interface CostSpanProcessorOptions {
  /** Pricing function; default the @aicost/core catalogue with overrides (`AICOST_PRICES_FILE`). */
  price?: (request: PricingRequest) => CostResult;
  /**
   * Record `aicost.cost` / `aicost.unpriced.requests` for the spans this
   * processor prices (default true). Token and duration metrics are left to
   * the instrumentation that made the span, which usually records them itself.
   */
  recordCostMetrics?: boolean;
  metrics?: GenAIMetricsOptions;
}

/** Set by instrumentations that write it (the Anthropic SDK's own span: `true` on a streamed call). */
const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';

/**
 * `aicost.request.stream` from the span's own `gen_ai.request.stream`, when only that one is
 * there: our spans say whether a call streamed under the aicost name, and queries read that.
 */
function missingStreamAttribute(existing: Attributes): Attributes {
  const stream = existing[ATTR_GEN_AI_REQUEST_STREAM];
  if (existing[ATTR_AICOST_REQUEST_STREAM] !== undefined || typeof stream !== 'boolean') return {};
  return { [ATTR_AICOST_REQUEST_STREAM]: stream };
}

function hrTimeToDate([seconds, nanos]: [number, number]): Date {
  return new Date(seconds * 1000 + nanos / 1e6);
}

function isAicostSpan(span: ReadableSpan): boolean {
  return span.instrumentationScope.name.startsWith('@aicost/');
}

function isGenAISpan(span: ReadableSpan): boolean {
  const attributes = span.attributes;
  return (
    attributes[ATTR_GEN_AI_OPERATION_NAME] !== undefined ||
    attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined ||
    attributes['gen_ai.system'] !== undefined ||
    attributes['ai.operationId'] !== undefined ||
    attributes['openinference.span.kind'] !== undefined
  );
}

/**
 * Prices spans that carry token usage but no cost, whoever created them:
 * OpenTelemetry's own GenAI instrumentations, OpenLLMetry, OpenInference, the
 * Vercel AI SDK, provider SDKs that trace themselves. It writes the cost
 * attributes, `aicost.usage.source` and (by default) the cost metrics.
 *
 * It runs in `onEnding`, the experimental SDK hook (sdk-trace >= 2.3) called
 * after the span's end time is set but before it becomes read-only, so the
 * attributes reach every exporter. Where the hook is missing, `onEnd` writes
 * into the ended span's attribute object instead; that works only because the
 * SDK calls processors in order and this one is registered before the export
 * processor (as `aicostSpanProcessors()` does), and it relies on SDK internals.
 *
 * Never prices twice: a span with `aicost.cost.status` is left alone, and so is
 * a foreign GenAI span wrapped around or nested directly in a span from an
 * aicost instrumentation (both describe one call; the aicost span has the cost).
 */
export class CostSpanProcessor implements SpanProcessor {
  private readonly price: (request: PricingRequest) => CostResult;
  private readonly recordCostMetrics: boolean;
  private readonly metricsOptions: GenAIMetricsOptions | undefined;
  private genAIMetrics: GenAIMetrics | undefined;
  /** Foreign GenAI spans sharing their call with an aicost span. */
  private readonly coveredByAicost = new WeakSet<object>();
  private readonly handled = new WeakSet<object>();
  private loggedFailure = false;

  constructor(options: CostSpanProcessorOptions = {}) {
    this.price = options.price ?? priceUsage;
    this.recordCostMetrics = options.recordCostMetrics ?? true;
    this.metricsOptions = options.metrics;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const parent = trace.getSpan(parentContext) as unknown as ReadableSpan | undefined;
      if (parent?.instrumentationScope === undefined || parent.attributes === undefined) return;
      if (isAicostSpan(span) && isGenAISpan(parent)) this.coveredByAicost.add(parent);
      else if (isAicostSpan(parent) && isGenAISpan(span)) this.coveredByAicost.add(span);
    } catch {
      // The parent is not an SDK span: nothing to learn from it.
    }
  }

  onEnding(span: Span): void {
    this.handled.add(span);
    this.priceSpan(span, (attributes) => span.setAttributes(attributes));
  }

  onEnd(span: ReadableSpan): void {
    if (this.handled.has(span)) return;
    // Fallback for SDKs without onEnding, see the class comment.
    this.priceSpan(span, (attributes) =>
      Object.assign(span.attributes as Record<string, unknown>, attributes),
    );
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private priceSpan(span: ReadableSpan, write: (attributes: Attributes) => void): void {
    try {
      if (span.attributes[ATTR_AICOST_COST_STATUS] !== undefined) return;
      if (this.coveredByAicost.has(span)) return;
      const call = identifyForeignCall(span);
      if (call === undefined || call.source === 'aicost') return;
      const usage = readForeignUsage(call.dialect, span.attributes);
      const cost = this.priceCall(span, call, usage);
      write({
        ...missingLedgerAttributes(usage, span.attributes),
        ...missingStreamAttribute(span.attributes),
        ...(span.attributes[ATTR_GEN_AI_PROVIDER_NAME] === undefined
          ? { [ATTR_GEN_AI_PROVIDER_NAME]: call.provider }
          : {}),
        ...(call.serviceTier !== undefined && span.attributes[ATTR_AICOST_SERVICE_TIER] === undefined
          ? { [ATTR_AICOST_SERVICE_TIER]: call.serviceTier }
          : {}),
        ...costAttributes(cost),
        [ATTR_AICOST_USAGE_SOURCE]: call.source,
      });
      if (this.recordCostMetrics) this.metricsRecorder().recordCost(this.metricAttributes(span, call), cost);
    } catch (error) {
      if (!this.loggedFailure) {
        this.loggedFailure = true;
        diag.warn('aicost: CostSpanProcessor failed to price a span; further failures are not logged', error);
      }
    }
  }

  private priceCall(span: ReadableSpan, call: ForeignCall, usage: LedgerResult): CostResult {
    const request: PricingRequest = {
      provider: call.provider,
      model: call.model,
      usage,
      timestamp: hrTimeToDate(span.startTime),
      durationSeconds: span.duration[0] + span.duration[1] / 1e9,
    };
    if (call.serverAddress !== undefined) request.serverAddress = call.serverAddress;
    if (call.serverPort !== undefined) request.serverPort = call.serverPort;
    if (call.serviceTier !== undefined) request.serviceTier = call.serviceTier;
    return this.price(request);
  }

  private metricAttributes(span: ReadableSpan, call: ForeignCall): Record<string, string> {
    const attributes: Record<string, string> = {
      [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
      'gen_ai.response.model': call.model,
    };
    if (call.operation !== undefined) attributes[ATTR_GEN_AI_OPERATION_NAME] = call.operation;
    for (const key of ['aicost.feature', 'aicost.customer']) {
      const value = span.attributes[key];
      if (typeof value === 'string') attributes[key] = value;
    }
    return attributes;
  }

  /** Created on first use: the global meter provider is usually registered after the processors are built. */
  private metricsRecorder(): GenAIMetrics {
    this.genAIMetrics ??= new GenAIMetrics(metrics.getMeter('@aicost/core'), this.metricsOptions);
    return this.genAIMetrics;
  }
}
