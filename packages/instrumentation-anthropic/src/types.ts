import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link AnthropicInstrumentation}: the options every aicost instrumentation takes (`captureMessageContent`, ...). */
export type AnthropicInstrumentationConfig = GenAIInstrumentationConfig;

// ---------------------------------------------------------------------------
// The parts of @anthropic-ai/sdk this instrumentation touches, typed loosely on
// purpose: the same code serves 0.x and 1.x, and every read is defensive.
// ---------------------------------------------------------------------------

/** Anthropic's `usage` object, as on a Message and on `message_start` / `message_delta` events. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null;
    ephemeral_1h_input_tokens?: number | null;
  } | null;
  [field: string]: unknown;
}

export interface AnthropicContentBlock {
  type: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  [field: string]: unknown;
}

export interface AnthropicMessage {
  id?: string;
  type?: string;
  role?: string;
  model?: string;
  content?: AnthropicContentBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** One server-sent event of a streamed Message (`Stream<RawMessageStreamEvent>`). */
export interface AnthropicStreamEvent {
  type: string;
  message?: AnthropicMessage;
  index?: number;
  content_block?: AnthropicContentBlock;
  delta?: {
    type?: string;
    text?: string;
    partial_json?: string;
    thinking?: string;
    stop_reason?: string | null;
  };
  usage?: AnthropicUsage;
}

/** `messages.create()` / `messages.stream()` parameters, as far as telemetry reads them. */
export interface MessageCreateParams {
  model?: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  stream?: boolean;
  system?: string | AnthropicContentBlock[];
  messages?: Array<{ role: string; content: string | AnthropicContentBlock[] }>;
  [field: string]: unknown;
}

/** The client object behind a resource (`resource._client`). */
export interface AnthropicClientLike {
  baseURL?: string;
  /** The SDK's own tracer (0.134+): `undefined` when its tracing is off. */
  _tracer?: unknown;
  /** `anthropic`, or `aws.bedrock` / `gcp.vertex_ai` on the platform clients. */
  _genAIProviderName?: unknown;
}

/** A `Messages` resource instance (stable or beta). */
export interface MessagesResourceLike {
  _client?: AnthropicClientLike;
}

/** The SDK's `Stream`: async iterable of events, aborted through `controller`. */
export interface StreamLike {
  controller?: AbortController;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}
