import {
  type Attributes,
  type Context,
  context as contextApi,
  type Meter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { writeUsageAttributes } from '../ledger/attributes.js';
import { isInvalidUsage } from '../ledger/usage.js';
import { GenAIMetrics } from '../metrics/index.js';
import { writeCostAttributes } from '../pricing/attributes.js';
import { priceUsage } from '../pricing/index.js';
import {
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_AICOST_SERVICE_TIER,
  ATTR_AICOST_USAGE_SOURCE,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  COST_STATUS,
  COST_STATUS_REASON,
  type CostStatusReason,
} from '../semconv.js';
import type { CostResult, InvalidUsage, PricingRequest, ReportedCost, TokenUsage } from '../types.js';
import { logOnce, runSafely } from './safety.js';

/** What is known about a GenAI call before it is sent. */
export interface GenAICallInfo {
  /** `gen_ai.provider.name`, e.g. from {@link providerFromBaseURL}. */
  provider: string;
  /** `gen_ai.operation.name`, one of `GEN_AI_OPERATION` where possible. */
  operation: string;
  /** `gen_ai.request.model`; may be absent (e.g. an Azure deployment URL carries it). */
  requestModel: string | undefined;
  serverAddress?: string;
  serverPort?: number;
  /** Whether the response streams (`aicost.request.stream`). */
  stream?: boolean;
  /** Further request attributes (`gen_ai.request.temperature`, ...), set when the span starts. */
  requestAttributes?: Attributes;
}

/** What the response says about itself. */
export interface GenAIResponseInfo {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  /** The service tier that served the call, as the response spells it (`aicost.service_tier`). */
  serviceTier?: string;
}

/**
 * Prompt and completion content in the GenAI semconv JSON shape. Recorded only
 * when content capture is on; check {@link GenAICall.captureContent} before
 * building it, so the default path pays nothing.
 */
export interface GenAIContent {
  inputMessages?: unknown;
  outputMessages?: unknown;
  systemInstructions?: unknown;
}

/** One in-flight GenAI call: a CLIENT span plus everything needed to price it when it ends. */
export interface GenAICall {
  readonly span: Span;
  /** The parent context with this call's span active: run the SDK call inside it. */
  readonly context: Context;
  readonly captureContent: boolean;
  /** True once `end()` or `fail()` ran. */
  readonly ended: boolean;
  setResponse(response: GenAIResponseInfo): void;
  /**
   * The token ledger, as a `ledger/` converter returns it. `undefined` means the
   * provider did not report usage: the call ends `unpriced` / `missing_usage`,
   * never $0; invalid usage ends `unpriced` / `invalid_usage`.
   */
  setUsage(usage: TokenUsage | InvalidUsage | undefined, options?: { reportedCost?: ReportedCost }): void;
  /**
   * What the provider or gateway stated it billed, exactly as stated (a response header such
   * as LiteLLM's `x-litellm-response-cost`). A reported cost given to `setUsage` takes precedence.
   */
  setReportedCost(cost: ReportedCost): void;
  /**
   * Declares the call unpriceable for `reason` (a `COST_STATUS_REASON`), e.g.
   * billed per second of audio; pricing is skipped and no cost is written.
   */
  markUnpriced(reason: CostStatusReason): void;
  /**
   * Declares that the stream ended before its end (abandoned, aborted, broken):
   * a cost priced from the usage seen so far is a lower bound, recorded with
   * status `estimated` and reason `partial_stream`. Without usage the call stays
   * `unpriced` / `missing_usage`; an unpriced result keeps its own reason.
   */
  markPartial(): void;
  setAttributes(attributes: Attributes): void;
  recordContent(content: GenAIContent): void;
  /** Marks the first streamed chunk; only the first call counts. */
  firstChunk(): void;
  /** Prices, records metrics and ends the span. Idempotent: the span ends once. */
  end(): void;
  /** Records `error` (`error.type`, exception event, ERROR status), then ends like {@link end}. Idempotent. */
  fail(error: unknown): void;
}

/** One finished call, as handed to the metrics recorder. */
export interface GenAICallRecord {
  /** The call's parent context: attribution (baggage) lives here. */
  context: Context;
  /** provider, operation, request/response model, server address/port, error.type. */
  attributes: Attributes;
  usage: TokenUsage | undefined;
  cost: CostResult;
  durationSeconds: number;
  timeToFirstChunkSeconds?: number;
  stream: boolean;
}

/** Where finished calls' metrics go; `GenAIMetrics` from the `metrics/` module by default. */
export interface GenAICallMetrics {
  record(call: GenAICallRecord): void;
}

export interface GenAIRecorderOptions {
  tracer: Tracer;
  /** Meter for the GenAI metrics (`new GenAIMetrics(meter)`); without it and without `metrics`, none are recorded. */
  meter?: Meter;
  /** A metrics sink to use instead of `GenAIMetrics`. */
  metrics?: GenAICallMetrics;
  /** The instrumentation's package name (`@aicost/instrumentation-x`); names it in diagnostics. */
  instrumentationName?: string;
  /** Record prompt/completion content (semconv opt-in attributes). */
  captureContent: boolean;
}

export interface GenAIRecorder {
  /** Starts a CLIENT span named `{operation} {model}` as a child of `parentContext` (default: the active context). */
  start(info: GenAICallInfo, parentContext?: Context): GenAICall;
}

/** Creates the recorder an instrumentation uses for every call it observes. */
export function createGenAIRecorder(options: GenAIRecorderOptions): GenAIRecorder {
  const metrics = options.metrics ?? (options.meter ? new GenAIMetrics(options.meter) : undefined);
  return {
    start(info, parentContext = contextApi.active()) {
      return new Call(options, metrics, info, parentContext);
    },
  };
}

/**
 * Low-cardinality `error.type`: the error's class name (`RateLimitError`,
 * `APIUserAbortError`); for generic classes (`Error`, `DOMException`) its more
 * telling `name` (`AbortError`, `TimeoutError`); else `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const ctor = (error as { constructor?: { name?: unknown } }).constructor;
    const className = ctor && typeof ctor.name === 'string' ? ctor.name : '';
    const name = (error as { name?: unknown }).name;
    const generic =
      className === '' || className === 'Object' || className === 'Error' || className === 'DOMException';
    if (generic && typeof name === 'string' && name) return name;
    if (className && className !== 'Object') return className;
  }
  return '_OTHER';
}

/** A cost priced from a stream's partial usage: a lower bound, so `estimated`; an unknown cost stays unknown. */
function asPartial(cost: CostResult): CostResult {
  if (cost.status === COST_STATUS.UNPRICED) return cost;
  return { ...cost, status: COST_STATUS.ESTIMATED, reason: COST_STATUS_REASON.PARTIAL_STREAM };
}

/** `aicost.usage.source` of spans made by our own instrumentations. */
const USAGE_SOURCE = 'aicost';

class Call implements GenAICall {
  readonly span: Span;
  readonly context: Context;
  readonly captureContent: boolean;
  ended = false;
  private readonly startedAt = performance.now();
  private readonly startDate = new Date();
  private firstChunkAt: number | undefined;
  // Response facts are written with the usage and cost, in one pass at the end.
  private responseModel: string | undefined;
  private responseId: string | undefined;
  private finishReasons: string[] | undefined;
  private usage: TokenUsage | InvalidUsage | undefined;
  private reportedCost: ReportedCost | undefined;
  private headerReportedCost: ReportedCost | undefined;
  private serviceTier: string | undefined;
  private errorTypeValue: string | undefined;
  private unpricedReason: CostStatusReason | undefined;
  private partial = false;

  constructor(
    options: GenAIRecorderOptions,
    private readonly metrics: GenAICallMetrics | undefined,
    private readonly info: GenAICallInfo,
    private readonly parentContext: Context,
  ) {
    this.captureContent = options.captureContent;
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: info.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: info.provider,
    };
    if (info.requestModel) attributes[ATTR_GEN_AI_REQUEST_MODEL] = info.requestModel;
    if (info.serverAddress) attributes[ATTR_SERVER_ADDRESS] = info.serverAddress;
    if (info.serverPort !== undefined) attributes[ATTR_SERVER_PORT] = info.serverPort;
    attributes[ATTR_AICOST_REQUEST_STREAM] = info.stream === true;
    if (info.requestAttributes) Object.assign(attributes, info.requestAttributes);
    const name = info.requestModel ? `${info.operation} ${info.requestModel}` : info.operation;
    this.span = options.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentContext);
    this.context = trace.setSpan(parentContext, this.span);
  }

  setResponse(response: GenAIResponseInfo): void {
    if (this.ended) return;
    if (response.responseModel) this.responseModel = response.responseModel;
    if (response.responseId) this.responseId = response.responseId;
    if (response.finishReasons && response.finishReasons.length > 0)
      this.finishReasons = response.finishReasons;
    if (response.serviceTier) this.serviceTier = response.serviceTier;
  }

  setUsage(usage: TokenUsage | InvalidUsage | undefined, options?: { reportedCost?: ReportedCost }): void {
    if (this.ended) return;
    this.usage = usage;
    this.reportedCost = options?.reportedCost;
  }

  setReportedCost(cost: ReportedCost): void {
    if (!this.ended) this.headerReportedCost = cost;
  }

  markUnpriced(reason: CostStatusReason): void {
    if (!this.ended) this.unpricedReason = reason;
  }

  markPartial(): void {
    if (!this.ended) this.partial = true;
  }

  setAttributes(attributes: Attributes): void {
    if (!this.ended) this.span.setAttributes(attributes);
  }

  recordContent(content: GenAIContent): void {
    if (this.ended || !this.captureContent) return;
    runSafely('content capture', () => {
      if (content.inputMessages !== undefined) {
        this.span.setAttribute(ATTR_GEN_AI_INPUT_MESSAGES, JSON.stringify(content.inputMessages));
      }
      if (content.outputMessages !== undefined) {
        this.span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, JSON.stringify(content.outputMessages));
      }
      if (content.systemInstructions !== undefined) {
        this.span.setAttribute(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, JSON.stringify(content.systemInstructions));
      }
    });
  }

  firstChunk(): void {
    if (this.firstChunkAt === undefined && !this.ended) this.firstChunkAt = performance.now();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.finish();
    } catch (error) {
      logOnce('pricing or recording a GenAI call', error);
    }
    // The span must end even if pricing or metrics failed above.
    try {
      this.span.end();
    } catch (error) {
      logOnce('ending a GenAI span', error);
    }
  }

  fail(error: unknown): void {
    if (this.ended) return;
    runSafely('recording a GenAI error', () => {
      this.errorTypeValue = errorType(error);
      this.span.setAttribute(ATTR_ERROR_TYPE, this.errorTypeValue);
      if (error instanceof Error) this.span.recordException(error);
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    });
    this.end();
  }

  private finish(): void {
    const durationSeconds = (performance.now() - this.startedAt) / 1000;
    const timeToFirstChunkSeconds =
      this.firstChunkAt === undefined ? undefined : (this.firstChunkAt - this.startedAt) / 1000;
    const validUsage = this.usage && !isInvalidUsage(this.usage) ? this.usage : undefined;
    let cost: CostResult = this.unpricedReason
      ? { status: COST_STATUS.UNPRICED, reason: this.unpricedReason, currency: 'USD' }
      : this.price(durationSeconds);
    if (this.partial) cost = asPartial(cost);

    // Everything learnt since the start, in one write: each call into the SDK's span costs validation.
    const attributes: Attributes = {};
    if (validUsage) {
      writeUsageAttributes(attributes, validUsage);
      attributes[ATTR_AICOST_USAGE_SOURCE] = USAGE_SOURCE;
    }
    if (this.responseModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = this.responseModel;
    if (this.responseId) attributes[ATTR_GEN_AI_RESPONSE_ID] = this.responseId;
    if (this.finishReasons) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = this.finishReasons;
    if (this.serviceTier) attributes[ATTR_AICOST_SERVICE_TIER] = this.serviceTier;
    if (timeToFirstChunkSeconds !== undefined) {
      attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK] = timeToFirstChunkSeconds;
    }
    this.span.setAttributes(writeCostAttributes(attributes, cost));

    if (this.metrics) {
      const metrics = this.metrics;
      const record: GenAICallRecord = {
        context: this.parentContext,
        attributes: this.metricAttributes(),
        usage: validUsage,
        cost,
        durationSeconds,
        stream: this.info.stream === true,
      };
      if (timeToFirstChunkSeconds !== undefined) record.timeToFirstChunkSeconds = timeToFirstChunkSeconds;
      try {
        metrics.record(record);
      } catch (error) {
        logOnce('recording GenAI metrics', error);
      }
    }
  }

  private price(durationSeconds: number): CostResult {
    const request: PricingRequest = {
      provider: this.info.provider,
      model: this.responseModel ?? this.info.requestModel ?? '',
      usage: this.usage,
      timestamp: this.startDate,
      durationSeconds,
    };
    if (this.info.serverAddress) request.serverAddress = this.info.serverAddress;
    if (this.info.serverPort !== undefined) request.serverPort = this.info.serverPort;
    const reported = this.reportedCost ?? this.headerReportedCost;
    if (reported) request.reportedCost = reported;
    if (this.serviceTier) request.serviceTier = this.serviceTier;
    return priceUsage(request);
  }

  private metricAttributes(): Attributes {
    const attributes: Attributes = {
      [ATTR_GEN_AI_PROVIDER_NAME]: this.info.provider,
      [ATTR_GEN_AI_OPERATION_NAME]: this.info.operation,
    };
    if (this.info.requestModel) attributes[ATTR_GEN_AI_REQUEST_MODEL] = this.info.requestModel;
    if (this.responseModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = this.responseModel;
    if (this.info.serverAddress) attributes[ATTR_SERVER_ADDRESS] = this.info.serverAddress;
    if (this.info.serverPort !== undefined) attributes[ATTR_SERVER_PORT] = this.info.serverPort;
    if (this.errorTypeValue) attributes[ATTR_ERROR_TYPE] = this.errorTypeValue;
    return attributes;
  }
}
