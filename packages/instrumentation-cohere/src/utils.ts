import {
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  type CompletionStreamReader,
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  providerDefaultBaseURL,
  readRequestAttributes,
  serverFromBaseURL,
  usageFromCohere,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_REQUEST_ATTRIBUTES } from './semconv.js';
import type {
  CohereContentItem,
  CohereMessage,
  CohereToolCall,
  V1ChatRequest,
  V1ChatResponse,
  V1StreamEvent,
  V2ChatRequest,
  V2ChatResponse,
  V2ClientLike,
  V2EmbedRequest,
  V2EmbedResponse,
  V2StreamEvent,
} from './types.js';

/**
 * Where the SDK sends requests when the client names no `baseUrl` or `environment`
 * (`CohereEnvironment.Production`): the registry's first Cohere host.
 */
const DEFAULT_BASE_URL = providerDefaultBaseURL(GEN_AI_PROVIDER.COHERE);

// ---------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------

/**
 * The client's base URL when it is known without waiting: `baseUrl` and
 * `environment` are Fern "suppliers" (a value, or a function returning one);
 * only plain strings are read here.
 */
function baseURLOf(client: V2ClientLike | undefined): string | undefined {
  const options = client?._options;
  const configured = options?.baseUrl ?? options?.environment;
  if (configured === undefined) return DEFAULT_BASE_URL;
  return typeof configured === 'string' ? configured : undefined;
}

/** The Bedrock and SageMaker clients reuse the v2 client with their own fetcher and AWS pricing: not ours to record. */
export function isAwsClient(client: V2ClientLike | undefined): boolean {
  return client?._options?.awsRegion !== undefined;
}

/** The span's starting attributes for `chat()` / `chatStream()`. */
export function chatCallInfo(
  client: V2ClientLike | undefined,
  request: V2ChatRequest,
  stream: boolean,
): GenAICallInfo {
  const attributes = readRequestAttributes(request, CHAT_REQUEST_ATTRIBUTES, { stop: 'stopSequences' });
  return {
    provider: GEN_AI_PROVIDER.COHERE,
    operation: GEN_AI_OPERATION.CHAT,
    requestModel: typeof request.model === 'string' ? request.model : undefined,
    ...serverFromBaseURL(baseURLOf(client)),
    stream,
    requestAttributes: attributes,
  };
}

/** The span's starting attributes for `embed()`. */
export function embedCallInfo(client: V2ClientLike | undefined, request: V2EmbedRequest): GenAICallInfo {
  const attributes: Attributes = {};
  const formats = request.embeddingTypes;
  if (Array.isArray(formats) && formats.every((f) => typeof f === 'string')) {
    attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [...formats];
  }
  return {
    provider: GEN_AI_PROVIDER.COHERE,
    operation: GEN_AI_OPERATION.EMBEDDINGS,
    requestModel: typeof request.model === 'string' ? request.model : undefined,
    ...serverFromBaseURL(baseURLOf(client)),
    stream: false,
    requestAttributes: attributes,
  };
}

// ---------------------------------------------------------------------------
// Streamed response
// ---------------------------------------------------------------------------

/** Stream events that carry generated output (time to first chunk). */
const GENERATING_EVENTS = new Set(['content-delta', 'tool-plan-delta', 'tool-call-start', 'tool-call-delta']);

/**
 * The response a v2 stream builds, as far as telemetry needs it:
 * `message-start` carries the id, `message-end` the finish reason and the
 * usage. Content is kept only when it is going to be recorded.
 */
export class StreamedChat implements CompletionStreamReader<V2StreamEvent | undefined> {
  private readonly response: V2ChatResponse & { message: CohereMessage } = {
    message: { role: 'assistant' },
  };
  private readonly keepContent: boolean;

  constructor(private readonly call: GenAICall) {
    this.keepContent = call.captureContent;
  }

  /** Adds one event; returns true when it carries generated output. */
  add(event: V2StreamEvent | undefined): boolean {
    if (!event || typeof event !== 'object') return false;
    const delta = event.delta;
    switch (event.type) {
      case 'message-start':
        if (typeof event.id === 'string') this.response.id = event.id;
        break;
      case 'message-end':
        if (typeof delta?.finishReason === 'string') this.response.finishReason = delta.finishReason;
        if (delta?.usage && typeof delta.usage === 'object') this.response.usage = delta.usage;
        break;
      default:
        if (this.keepContent) this.appendContent(event);
    }
    return GENERATING_EVENTS.has(String(event.type));
  }

  snapshot(): V2ChatResponse {
    return this.response;
  }

  /** The response as far as the stream got: what it reported prices the call. */
  finish(): void {
    recordChat(this.call, this.response);
  }

  private appendContent(event: V2StreamEvent): void {
    const delta = event.delta?.message;
    const message = this.response.message;
    if (event.type === 'content-start' || event.type === 'content-delta') {
      const item = Array.isArray(delta?.content) ? delta.content[0] : delta?.content;
      const text = typeof item?.text === 'string' ? item.text : '';
      const items = Array.isArray(message.content) ? message.content : [];
      message.content = items;
      if (event.type === 'content-start') items.push({ type: item?.type ?? 'text', text });
      else if (items.length > 0) items[items.length - 1]!.text = `${items.at(-1)!.text ?? ''}${text}`;
    }
    if (event.type === 'tool-plan-delta' && typeof delta?.toolPlan === 'string') {
      message.toolPlan = `${message.toolPlan ?? ''}${delta.toolPlan}`;
    }
    const call = Array.isArray(delta?.toolCalls) ? delta.toolCalls[0] : delta?.toolCalls;
    if (event.type === 'tool-call-start' && call) {
      message.toolCalls = [...(message.toolCalls ?? []), { ...call, function: { ...call.function } }];
    }
    if (event.type === 'tool-call-delta' && typeof call?.function?.arguments === 'string') {
      const last = message.toolCalls?.at(-1);
      if (last)
        last.function = {
          ...last.function,
          arguments: `${last.function?.arguments ?? ''}${call.function.arguments}`,
        };
    }
  }
}

// ---------------------------------------------------------------------------
// Content (opt-in): the semconv JSON shapes
// ---------------------------------------------------------------------------

type Part = Record<string, unknown>;

/** `gen_ai.input.messages`: the request's conversation (system messages included, as sent). */
export function inputMessages(request: V2ChatRequest): unknown[] {
  return (Array.isArray(request.messages) ? request.messages : []).map((message) => {
    if (message.role === 'tool') {
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }],
      };
    }
    return { role: message.role, parts: messageParts(message) };
  });
}

/** `gen_ai.output.messages`: the generated message. */
export function outputMessages(response: V2ChatResponse): unknown[] {
  return [
    {
      role: response.message?.role ?? 'assistant',
      parts: response.message ? messageParts(response.message) : [],
      finish_reason: response.finishReason,
    },
  ];
}

function messageParts(message: CohereMessage): Part[] {
  const parts: Part[] = [];
  if (typeof message.toolPlan === 'string' && message.toolPlan) {
    parts.push({ type: 'reasoning', content: message.toolPlan });
  }
  parts.push(...contentParts(message.content));
  for (const call of message.toolCalls ?? []) parts.push(toolCallPart(call));
  return parts;
}

function contentParts(content: string | CohereContentItem[] | undefined): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((item) => {
    if (item?.type === 'text') return { type: 'text', content: item.text };
    if (item?.type === 'thinking') return { type: 'reasoning', content: item.thinking };
    // Images, documents: their kind, never their bytes.
    return { type: typeof item?.type === 'string' ? item.type : 'unknown' };
  });
}

function toolCallPart(call: CohereToolCall): Part {
  let args: unknown = call.function?.arguments;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      // partial or non-JSON arguments stay as sent
    }
  }
  return { type: 'tool_call', id: call.id, name: call.function?.name, arguments: args };
}

// ---------------------------------------------------------------------------
// The v1 API
// ---------------------------------------------------------------------------

/** v1 stream events that carry generated output (time to first chunk). */
const V1_GENERATING_EVENTS = new Set(['text-generation', 'tool-calls-chunk', 'tool-calls-generation']);

/**
 * The response a v1 stream builds: `stream-start` carries the generation id,
 * `stream-end` the finish reason and the whole response (usage in its `meta`).
 * Text is kept only when it is going to be recorded.
 */
export class StreamedV1Chat
  implements CompletionStreamReader<(V1StreamEvent & { text?: string }) | undefined>
{
  private response: V1ChatResponse = {};
  private readonly keepContent: boolean;

  constructor(private readonly call: GenAICall) {
    this.keepContent = call.captureContent;
  }

  /** Adds one event; returns true when it carries generated output. */
  add(event: (V1StreamEvent & { text?: string }) | undefined): boolean {
    if (!event || typeof event !== 'object') return false;
    if (event.eventType === 'stream-start' && typeof event.generationId === 'string') {
      this.response.generationId = event.generationId;
    }
    if (event.eventType === 'text-generation' && this.keepContent && typeof event.text === 'string') {
      this.response.text = `${this.response.text ?? ''}${event.text}`;
    }
    if (event.eventType === 'stream-end') {
      if (event.response && typeof event.response === 'object')
        this.response = { ...this.response, ...event.response };
      if (typeof event.finishReason === 'string') this.response.finishReason = event.finishReason;
    }
    return V1_GENERATING_EVENTS.has(String(event.eventType));
  }

  snapshot(): V1ChatResponse {
    return this.response;
  }

  finish(): void {
    recordV1Chat(this.call, this.response);
  }
}

/** `gen_ai.input.messages` of a v1 request: the preamble, the history, then the message. */
export function v1InputMessages(request: V1ChatRequest): unknown[] {
  const messages: unknown[] = [];
  if (typeof request.preamble === 'string') {
    messages.push({ role: 'system', parts: [{ type: 'text', content: request.preamble }] });
  }
  for (const turn of Array.isArray(request.chatHistory) ? request.chatHistory : []) {
    const role = String(turn?.role ?? '').toLowerCase();
    messages.push({
      role: role === 'chatbot' ? 'assistant' : role,
      parts: [{ type: 'text', content: turn?.message }],
    });
  }
  if (typeof request.message === 'string') {
    messages.push({ role: 'user', parts: [{ type: 'text', content: request.message }] });
  }
  return messages;
}

/** `gen_ai.output.messages` of a v1 response. */
export function v1OutputMessages(response: V1ChatResponse): unknown[] {
  const parts: Part[] = [];
  if (typeof response.text === 'string' && response.text)
    parts.push({ type: 'text', content: response.text });
  for (const call of response.toolCalls ?? []) {
    parts.push({ type: 'tool_call', name: call?.name, arguments: call?.parameters });
  }
  return [{ role: 'assistant', parts, finish_reason: response.finishReason }];
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/**
 * Response attributes, the token ledger and (opt-in) the output content of one
 * chat response. v2 responses name no model, so the request model is what is
 * priced. The ledger counts `billedUnits` (what Cohere charges), not `tokens`
 * (which include Cohere's own prompt template).
 */
export function recordChat(call: GenAICall, response: V2ChatResponse | undefined): void {
  if (!response || typeof response !== 'object') return;
  call.setResponse({
    responseId: typeof response.id === 'string' ? response.id : undefined,
    finishReasons: typeof response.finishReason === 'string' ? [response.finishReason] : undefined,
  });
  call.setUsage(usageFromCohere(response.usage));
  if (call.captureContent) call.recordContent({ outputMessages: outputMessages(response) });
}

/** A v1 chat response: id, finish reason, billed units from `meta`, (opt-in) output. */
export function recordV1Chat(call: GenAICall, response: V1ChatResponse | undefined): void {
  if (!response || typeof response !== 'object') return;
  const id = response.responseId ?? response.generationId;
  call.setResponse({
    responseId: typeof id === 'string' ? id : undefined,
    finishReasons: typeof response.finishReason === 'string' ? [response.finishReason] : undefined,
  });
  call.setUsage(usageFromCohere(response.meta));
  if (call.captureContent) call.recordContent({ outputMessages: v1OutputMessages(response) });
}

/** An embed response: its id and billed units. */
export function recordEmbed(call: GenAICall, response: V2EmbedResponse | undefined): void {
  call.setResponse({ responseId: typeof response?.id === 'string' ? response.id : undefined });
  call.setUsage(usageFromCohere(response?.meta));
}
