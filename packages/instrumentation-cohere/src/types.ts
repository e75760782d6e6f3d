import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link CohereInstrumentation}: the options every aicost instrumentation takes (`captureMessageContent`, ...). */
export type CohereInstrumentationConfig = GenAIInstrumentationConfig;

// ---------------------------------------------------------------------------
// The parts of cohere-ai (v2 API) this instrumentation reads, typed loosely on
// purpose: the SDK hands out camelCase objects (parsed by its Fern
// serializers), and every read is defensive.
// ---------------------------------------------------------------------------

/** v2 `Usage`: `billedUnits` (what Cohere charges) and `tokens` (what the model saw). */
export type CohereUsage = Record<string, unknown>;

export interface CohereToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface CohereContentItem {
  type?: string;
  text?: string;
  thinking?: string;
  [field: string]: unknown;
}

export interface CohereMessage {
  role?: string;
  content?: string | CohereContentItem[];
  toolPlan?: string;
  toolCalls?: CohereToolCall[];
  toolCallId?: string;
  [field: string]: unknown;
}

/** `V2ChatResponse`. It names no model: the request's model is what is priced. */
export interface V2ChatResponse {
  id?: string;
  finishReason?: string;
  message?: CohereMessage;
  usage?: CohereUsage;
}

/** One `StreamedChatResponseV2` event (`message-start`, `content-delta`, `message-end`, ...). */
export interface V2StreamEvent {
  type?: string;
  id?: string;
  index?: number;
  delta?: {
    message?: {
      role?: string;
      content?: CohereContentItem | CohereContentItem[];
      toolPlan?: string;
      toolCalls?: CohereToolCall | CohereToolCall[];
    };
    finishReason?: string;
    usage?: CohereUsage;
    error?: string;
  };
}

/** `chat()` / `chatStream()` request, as far as telemetry reads it. */
export interface V2ChatRequest {
  model?: string;
  messages?: CohereMessage[];
  temperature?: number;
  maxTokens?: number;
  p?: number;
  k?: number;
  seed?: number;
  stopSequences?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  [field: string]: unknown;
}

/** `embed()` request. */
export interface V2EmbedRequest {
  model?: string;
  embeddingTypes?: string[];
  [field: string]: unknown;
}

/** `EmbedByTypeResponse`: usage is in `meta.billedUnits`. */
export interface V2EmbedResponse {
  id?: string;
  meta?: CohereUsage;
}

/** What `__chat` / `__chatStream` / `__embed` resolve to (the public methods wrap it in an `HttpResponsePromise`). */
export interface WithRawResponse<T> {
  data: T;
  rawResponse?: unknown;
}

/** A `V2Client` instance: its options say where requests go. */
export interface V2ClientLike {
  _options?: {
    baseUrl?: unknown;
    environment?: unknown;
    /** Set by the Bedrock and SageMaker clients, which this instrumentation leaves alone. */
    awsRegion?: unknown;
  };
}

// ---------------------------------------------------------------------------
// The v1 API (`CohereClient#chat`, `#chatStream`, `#embed`)
// ---------------------------------------------------------------------------

/** v1 `chat()` request: one `message`, the earlier turns in `chatHistory`, the system prompt in `preamble`. */
export interface V1ChatRequest extends V2ChatRequest {
  message?: string;
  preamble?: string;
  chatHistory?: Array<{ role?: string; message?: string }>;
}

/** v1 `NonStreamedChatResponse`: usage is in `meta.billedUnits`. */
export interface V1ChatResponse {
  text?: string;
  generationId?: string;
  responseId?: string;
  finishReason?: string;
  toolCalls?: Array<{ name?: string; parameters?: unknown }>;
  meta?: CohereUsage;
}

/** One v1 stream event (`stream-start`, `text-generation`, `stream-end`, ...). */
export interface V1StreamEvent {
  eventType?: string;
  generationId?: string;
  finishReason?: string;
  response?: V1ChatResponse;
}
