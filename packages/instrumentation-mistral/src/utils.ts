import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  type CompletionStreamReader,
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  readRequestAttributes,
  runSafely,
  serverFromBaseURL,
  usageFromMistral,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_REQUEST_ATTRIBUTES } from './semconv.js';
import type {
  ChatCompletionResponse,
  ChatRequest,
  CompletionChunk,
  EmbeddingRequest,
  EmbeddingResponse,
  MistralChoice,
  MistralMessage,
  MistralResourceLike,
  MistralToolCall,
  MistralUsage,
  TracingHookLike,
} from './types.js';

// ---------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------

function baseURLOf(resource: MistralResourceLike | undefined): string | undefined {
  const url = resource?._baseURL;
  return url ? String(url) : undefined;
}

/**
 * The span's starting attributes for a completion: `chat.complete()` /
 * `chat.stream()` / `chat.parse()` (`chat`), `fim.complete()` / `fim.stream()`
 * (`text_completion`).
 */
export function completionCallInfo(
  resource: MistralResourceLike | undefined,
  request: ChatRequest,
  operation: string,
  stream: boolean,
): GenAICallInfo {
  return {
    provider: GEN_AI_PROVIDER.MISTRAL_AI,
    operation,
    requestModel: typeof request.model === 'string' ? request.model : undefined,
    ...serverFromBaseURL(baseURLOf(resource)),
    stream,
    requestAttributes: chatRequestAttributes(request),
  };
}

/** The span's starting attributes for `embeddings.create()`. */
export function embeddingsCallInfo(
  resource: MistralResourceLike | undefined,
  request: EmbeddingRequest,
): GenAICallInfo {
  const attributes: Attributes = {};
  const format = request.encodingFormat ?? request.outputDtype;
  if (typeof format === 'string') attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [format];
  return {
    provider: GEN_AI_PROVIDER.MISTRAL_AI,
    operation: GEN_AI_OPERATION.EMBEDDINGS,
    requestModel: typeof request.model === 'string' ? request.model : undefined,
    ...serverFromBaseURL(baseURLOf(resource)),
    stream: false,
    requestAttributes: attributes,
  };
}

function chatRequestAttributes(request: ChatRequest): Attributes {
  return readRequestAttributes(request, CHAT_REQUEST_ATTRIBUTES, { stop: 'stop', choiceCount: 'n' });
}

// ---------------------------------------------------------------------------
// The SDK's own spans
// ---------------------------------------------------------------------------

/**
 * Marks the calls this instrumentation records, for the SDK's tracing hook to
 * see (below). An AsyncLocalStorage of its own rather than an OpenTelemetry
 * context key: it must hold even where no OpenTelemetry context manager is
 * registered, or the SDK would trace those calls a second time.
 */
const ownCalls = new AsyncLocalStorage<true>();

/**
 * Runs `fn` (an SDK method of `resource`) as a call whose GenAI span is ours:
 * the SDK's own tracing hook stands aside for it (see {@link silenceSdkSpansInOwnCalls}).
 */
export function runAsOwnCall<T>(resource: MistralResourceLike | undefined, fn: () => T): T {
  runSafely("silencing the Mistral SDK's own spans", () => silenceSdkSpansInOwnCalls(resource));
  return ownCalls.run(true, fn);
}

/** The keys the SDK's TracingHook keeps its span under in the per-call hook context. */
const SDK_TRACING_KEYS = ['_tracingSpan', '_tracingBody', '_tracingTracer'];

const silencedHookClasses = new WeakSet<object>();

/**
 * `@mistralai/mistralai` 2.x traces itself: its `TracingHook` (one per client,
 * in the client's `beforeRequest` hooks) starts a span per HTTP attempt as soon
 * as tracing is on (`MISTRAL_SDK_TELEMETRY=global|dedicated`,
 * `registerTracerProvider()`, `configureTelemetry()`). For a call we record,
 * that span would be a second GenAI span with its own (cache-blind) token
 * counts, one more per retry.
 *
 * So the hook's `beforeRequest` is wrapped, once per hook class: inside a call
 * of ours (see {@link runAsOwnCall}) it leaves the request as it
 * is, exactly as the hook does when the SDK's tracing is off; everywhere else
 * (OCR, agents, FIM, ...) the SDK traces as it always did. The request runs in
 * our span's context, so HTTP instrumentation still nests under it.
 */
export function silenceSdkSpansInOwnCalls(resource: MistralResourceLike | undefined): void {
  const hooks = resource?._options?.hooks?.beforeRequestHooks;
  if (!Array.isArray(hooks)) return;
  const hook = hooks.find(isTracingHook);
  if (!hook) return;
  const hookClass = Object.getPrototypeOf(hook) as TracingHookLike | null;
  if (!hookClass || silencedHookClasses.has(hookClass) || typeof hookClass.beforeRequest !== 'function') {
    return;
  }
  const beforeRequest = hookClass.beforeRequest;
  hookClass.beforeRequest = function beforeRequestUnlessOwnCall(
    this: TracingHookLike,
    hookCtx: Record<string, unknown>,
    request: Request,
  ) {
    if (ownCalls.getStore() !== true) return beforeRequest.call(this, hookCtx, request);
    for (const key of SDK_TRACING_KEYS) delete hookCtx[key];
    return Promise.resolve(request);
  };
  silencedHookClasses.add(hookClass);
}

function isTracingHook(hook: unknown): hook is TracingHookLike {
  return typeof hook === 'object' && hook !== null && (hook as TracingHookLike)._mistralTracingHook === true;
}

// ---------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------

/** The finish reason of each choice, in order. */
export function finishReasons(choices: MistralChoice[] | undefined): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  const reasons = choices
    .map((choice) => choice?.finishReason)
    .filter((r): r is string => typeof r === 'string');
  return reasons.length > 0 ? reasons : undefined;
}

/**
 * The completion a stream builds, as far as telemetry needs it: id and model
 * from any chunk, the finish reason of each choice, and the usage Mistral sends
 * with the last chunk. Content is kept only when it is going to be recorded.
 */
export class StreamedCompletion implements CompletionStreamReader<{ data?: CompletionChunk } | undefined> {
  id: string | undefined;
  model: string | undefined;
  usage: MistralUsage | undefined;
  private readonly choices = new Map<number, MistralChoice & { message: MistralMessage }>();
  private readonly keepContent: boolean;

  constructor(private readonly call: GenAICall) {
    this.keepContent = call.captureContent;
  }

  /** Adds one event (`{ data: chunk }`); returns true when it carries generated content (time to first chunk). */
  add(event: { data?: CompletionChunk } | undefined): boolean {
    const chunk = event?.data;
    if (!chunk || typeof chunk !== 'object') return false;
    if (typeof chunk.id === 'string') this.id = chunk.id;
    if (typeof chunk.model === 'string') this.model = chunk.model;
    if (chunk.usage && typeof chunk.usage === 'object') this.usage = chunk.usage;
    let generated = false;
    for (const delta of Array.isArray(chunk.choices) ? chunk.choices : []) {
      const index = typeof delta?.index === 'number' ? delta.index : 0;
      let choice = this.choices.get(index);
      if (!choice) {
        choice = { index, message: { role: 'assistant' } };
        this.choices.set(index, choice);
      }
      if (typeof delta.finishReason === 'string') choice.finishReason = delta.finishReason;
      const content = delta.delta?.content;
      const toolCalls = delta.delta?.toolCalls;
      if (
        (typeof content === 'string' && content !== '') ||
        Array.isArray(content) ||
        Array.isArray(toolCalls)
      ) {
        generated = true;
      }
      if (this.keepContent) appendDelta(choice.message, content, toolCalls);
    }
    return generated;
  }

  snapshot(): ChatCompletionResponse {
    return { id: this.id, model: this.model, usage: this.usage, choices: [...this.choices.values()] };
  }

  /** The completion as far as the stream got: what it reported prices the call. */
  finish(): void {
    recordCompletion(this.call, this.snapshot());
  }
}

function appendDelta(
  message: MistralMessage,
  content: unknown,
  toolCalls: MistralToolCall[] | null | undefined,
): void {
  if (typeof content === 'string')
    message.content = `${typeof message.content === 'string' ? message.content : ''}${content}`;
  if (Array.isArray(toolCalls)) {
    message.toolCalls ??= [];
    const calls = message.toolCalls;
    for (const call of toolCalls) {
      const existing = typeof call.index === 'number' ? calls.find((c) => c.index === call.index) : undefined;
      if (existing && typeof call.function?.arguments === 'string') {
        existing.function = {
          ...existing.function,
          arguments: `${existing.function?.arguments ?? ''}${call.function.arguments}`,
        };
      } else {
        calls.push({ ...call, function: { ...call.function } });
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Content (opt-in): the semconv JSON shapes
// ---------------------------------------------------------------------------

type Part = Record<string, unknown>;

/** `gen_ai.input.messages`: the request's conversation (system messages included, as sent); FIM: the prompt. */
export function inputMessages(request: ChatRequest): unknown[] {
  if (typeof request.prompt === 'string')
    return [{ role: 'user', parts: [{ type: 'text', content: request.prompt }] }];
  return (Array.isArray(request.messages) ? request.messages : []).map((message) => {
    const parts = partsOf(message.content);
    for (const call of message.toolCalls ?? []) parts.push(toolCallPart(call));
    if (message.role === 'tool') {
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }],
      };
    }
    return { role: message.role, parts };
  });
}

/** `gen_ai.output.messages`: one message per choice. */
export function outputMessages(response: ChatCompletionResponse): unknown[] {
  return (response.choices ?? []).map((choice) => {
    const parts = partsOf(choice.message?.content);
    for (const call of choice.message?.toolCalls ?? []) parts.push(toolCallPart(call));
    return {
      role: choice.message?.role ?? 'assistant',
      parts,
      finish_reason: choice.finishReason ?? undefined,
    };
  });
}

function partsOf(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((chunk: Record<string, unknown>) => {
    if (chunk?.type === 'text') return { type: 'text', content: chunk.text };
    if (chunk?.type === 'thinking') return { type: 'reasoning', content: chunk.thinking };
    // Images, documents, audio: their kind, never their bytes.
    return { type: typeof chunk?.type === 'string' ? chunk.type : 'unknown' };
  });
}

function toolCallPart(call: MistralToolCall): Part {
  let args = call.function?.arguments;
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
// Responses
// ---------------------------------------------------------------------------

/** Response attributes, the token ledger and (opt-in) the output content of one completion. */
export function recordCompletion(call: GenAICall, response: ChatCompletionResponse | undefined): void {
  if (!response || typeof response !== 'object') return;
  call.setResponse({
    responseModel: typeof response.model === 'string' ? response.model : undefined,
    responseId: typeof response.id === 'string' ? response.id : undefined,
    finishReasons: finishReasons(response.choices),
  });
  call.setUsage(usageFromMistral(response.usage));
  if (call.captureContent) call.recordContent({ outputMessages: outputMessages(response) });
}

/** An embeddings response: its model, id and usage. */
export function recordEmbeddings(call: GenAICall, response: EmbeddingResponse | undefined): void {
  call.setResponse({ responseModel: response?.model, responseId: response?.id });
  call.setUsage(usageFromMistral(response?.usage));
}
