import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link MistralInstrumentation}: the options every aicost instrumentation takes (`captureMessageContent`, ...). */
export type MistralInstrumentationConfig = GenAIInstrumentationConfig;

// ---------------------------------------------------------------------------
// The parts of @mistralai/mistralai this instrumentation reads, typed loosely on
// purpose: the SDK hands out camelCase objects (parsed by its zod schemas),
// and every read is defensive.
// ---------------------------------------------------------------------------

/** `UsageInfo`: OpenAI-like counts; `promptTokens` includes cached tokens. */
export type MistralUsage = Record<string, unknown>;

export interface MistralToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: unknown };
  index?: number;
}

export interface MistralMessage {
  role?: string;
  content?: unknown;
  toolCalls?: MistralToolCall[] | null;
  toolCallId?: string | null;
  [field: string]: unknown;
}

export interface MistralChoice {
  index?: number;
  message?: MistralMessage;
  finishReason?: string | null;
}

/** `ChatCompletionResponse` (also what `chat.parse()` resolves to). */
export interface ChatCompletionResponse {
  id?: string;
  model?: string;
  choices?: MistralChoice[];
  usage?: MistralUsage;
}

/** One `CompletionChunk` of a streamed chat (`EventStream<{ data: CompletionChunk }>`). */
export interface CompletionChunk {
  id?: string;
  model?: string;
  usage?: MistralUsage | null;
  choices?: Array<{
    index?: number;
    delta?: { role?: string | null; content?: unknown; toolCalls?: MistralToolCall[] | null };
    finishReason?: string | null;
  }>;
}

/** `chat.*` and `fim.*` request, as far as telemetry reads it. */
export interface ChatRequest {
  model?: string;
  messages?: MistralMessage[];
  /** FIM: the code before the gap. */
  prompt?: string;
  temperature?: number | null;
  topP?: number;
  maxTokens?: number | null;
  stop?: string | string[];
  randomSeed?: number | null;
  presencePenalty?: number;
  frequencyPenalty?: number;
  n?: number | null;
  [field: string]: unknown;
}

/** `embeddings.create()` request. */
export interface EmbeddingRequest {
  model?: string;
  inputs?: unknown;
  outputDimension?: number | null;
  outputDtype?: string;
  encodingFormat?: string;
  [field: string]: unknown;
}

/** `EmbeddingResponse`. */
export interface EmbeddingResponse {
  id?: string;
  model?: string;
  usage?: MistralUsage;
}

/**
 * A resource (`Chat`, `Embeddings`): a Speakeasy `ClientSDK` whose options
 * carry the client's hooks, among them the SDK's own `TracingHook`.
 */
export interface MistralResourceLike {
  _baseURL?: URL | string | null;
  _options?: {
    hooks?: { beforeRequestHooks?: unknown[] };
  };
}

/** The SDK's `TracingHook` (marked `_mistralTracingHook`), as far as it is patched here. */
export interface TracingHookLike {
  _mistralTracingHook?: unknown;
  beforeRequest(hookCtx: Record<string, unknown>, request: Request): Promise<Request>;
}
