import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link BedrockInstrumentation}: the options every aicost instrumentation takes (`captureMessageContent`, ...). */
export type BedrockInstrumentationConfig = GenAIInstrumentationConfig;

// ---------------------------------------------------------------------------
// The parts of @aws-sdk/client-bedrock-runtime this instrumentation touches,
// typed loosely on purpose: every read is defensive, and the same code serves
// every 3.x release.
// ---------------------------------------------------------------------------

/** The four operations that run a model and are billed per token. */
export type BedrockOperation =
  | 'Converse'
  | 'ConverseStream'
  | 'InvokeModel'
  | 'InvokeModelWithResponseStream';

/** A smithy command (`new ConverseCommand(input)`): its class says which operation it is. */
export interface CommandLike {
  input?: unknown;
  constructor?: { name?: string };
}

/** `send()`'s second argument when it is not a callback. */
export interface SendOptions {
  abortSignal?: AbortSignal;
  [option: string]: unknown;
}

/** A smithy middleware stack (`client.middlewareStack`). */
export interface MiddlewareStackLike {
  add(
    middleware: (next: MiddlewareHandler, context: unknown) => MiddlewareHandler,
    options: { step: string; name: string; priority?: string; override?: boolean; tags?: string[] },
  ): void;
}

export type MiddlewareHandler = (args: { request?: unknown; input?: unknown }) => Promise<{
  response?: unknown;
  output?: unknown;
}>;

/** A `BedrockRuntimeClient` instance. */
export interface BedrockClientLike {
  middlewareStack?: MiddlewareStackLike;
  /** The configuration as the application gave it (before the SDK wrapped values in providers). */
  initConfig?: { endpoint?: unknown; region?: unknown };
}

/** Converse / ConverseStream request. */
export interface ConverseInput {
  modelId?: string;
  messages?: ConverseMessage[];
  system?: Array<Record<string, unknown>>;
  inferenceConfig?: {
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
  };
  additionalModelRequestFields?: unknown;
  [field: string]: unknown;
}

export interface ConverseMessage {
  role?: string;
  content?: ConverseContentBlock[];
}

/** One Converse content block: a union keyed by the member that is set. */
export interface ConverseContentBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  toolResult?: { toolUseId?: string; content?: unknown; status?: string };
  reasoningContent?: { reasoningText?: { text?: string } };
  [member: string]: unknown;
}

/** Converse response (and what a ConverseStream builds up). */
export interface ConverseOutput {
  output?: { message?: ConverseMessage };
  stopReason?: string;
  usage?: unknown;
  /** The tier that served the call: `default`, `flex`, `priority`, `reserved`. */
  serviceTier?: { type?: string };
  $metadata?: { requestId?: string };
  stream?: unknown;
}

/** One event of a ConverseStream `stream`: a union keyed by the member that is set. */
export interface ConverseStreamEvent {
  messageStart?: { role?: string };
  contentBlockStart?: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta?: {
    contentBlockIndex?: number;
    delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string } };
  };
  contentBlockStop?: { contentBlockIndex?: number };
  messageStop?: { stopReason?: string };
  metadata?: { usage?: unknown; serviceTier?: { type?: string } };
}

/** InvokeModel / InvokeModelWithResponseStream request. */
export interface InvokeModelInput {
  modelId?: string;
  body?: unknown;
  contentType?: string;
}

/** InvokeModel response: `body` is a `Uint8ArrayBlobAdapter` (a `Uint8Array`). */
export interface InvokeModelOutput {
  body?: unknown;
  /** The tier that served the call, from the response header. */
  serviceTier?: string;
  $metadata?: { requestId?: string };
}

/** One event of an InvokeModelWithResponseStream `body`. */
export interface ResponseStreamEvent {
  chunk?: { bytes?: Uint8Array };
}

/** Request parameters under their semconv names, read from a Converse or InvokeModel request; only the ones it set. */
export interface RequestParams {
  maxTokens?: unknown;
  temperature?: unknown;
  topP?: unknown;
  topK?: unknown;
  stopSequences?: unknown;
}
