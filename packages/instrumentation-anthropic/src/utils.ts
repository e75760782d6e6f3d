import {
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICallInfo,
  readRequestAttributes,
  serverFromBaseURL,
} from '@aicost/core';
import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { MESSAGES_REQUEST_ATTRIBUTES } from './semconv.js';
import type {
  AnthropicClientLike,
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStreamEvent,
  AnthropicUsage,
  MessageCreateParams,
} from './types.js';

// ---------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------

/**
 * Who bills the call. The Bedrock and Vertex clients (separate packages built on
 * this SDK) say so themselves (`_genAIProviderName`); the host does not, since a
 * proxy or a loopback test server in front of Anthropic is still Anthropic.
 */
export function providerOf(client: AnthropicClientLike | undefined): string {
  const name = client?._genAIProviderName;
  return typeof name === 'string' && name ? name : GEN_AI_PROVIDER.ANTHROPIC;
}

/** Everything the span starts with, from the client and the request parameters. */
export function callInfo(
  client: AnthropicClientLike | undefined,
  params: MessageCreateParams,
): GenAICallInfo {
  return {
    provider: providerOf(client),
    operation: GEN_AI_OPERATION.CHAT,
    requestModel: typeof params.model === 'string' ? params.model : undefined,
    ...serverFromBaseURL(client?.baseURL),
    stream: params.stream === true,
    requestAttributes: requestAttributes(params),
  };
}

function requestAttributes(params: MessageCreateParams): Attributes {
  return readRequestAttributes(params, MESSAGES_REQUEST_ATTRIBUTES, { stop: 'stop_sequences' });
}

// ---------------------------------------------------------------------------
// The SDK's own spans
// ---------------------------------------------------------------------------

/**
 * A tracer whose spans record nothing and carry the active span's context.
 *
 * Lent to the SDK while it starts the call span of a call we instrument: its
 * span then neither records nor exports, yet everything the SDK does with it
 * still works as before — it injects `traceparent` for our span when a
 * propagator is registered, and HTTP instrumentation nests under our span.
 */
const contextOnlyTracer: Tracer = {
  startSpan(_name: string, _options?: SpanOptions, ctx: Context = context.active()): Span {
    return trace.wrapSpanContext(trace.getSpanContext(ctx) ?? INVALID_SPAN_CONTEXT);
  },
  startActiveSpan(_name: string, ...rest: unknown[]): any {
    const fn = rest.at(-1) as (span: Span) => unknown;
    const ctx = rest.length === 3 ? (rest[1] as Context) : context.active();
    const span = contextOnlyTracer.startSpan(_name, undefined, ctx);
    return context.with(trace.setSpan(ctx, span), fn, undefined, span);
  },
};

/**
 * Runs `fn` (a synchronous SDK method) with the client's own tracing silenced.
 *
 * `@anthropic-ai/sdk` >= 0.134 starts a GenAI span for every `messages.create`
 * when a tracer provider is registered. It reads `client._tracer` synchronously,
 * in the method itself (and in `messages.stream()`, which starts its span before
 * it calls `create()`), so lending it {@link contextOnlyTracer} for the duration
 * of the call removes that second span for this call only: nothing is left
 * changed on the client, and a client whose tracing is off stays untouched.
 */
export function withSdkSpansSilenced<T>(client: AnthropicClientLike | undefined, fn: () => T): T {
  if (!client?._tracer || client._tracer === contextOnlyTracer) return fn();
  const own = client._tracer;
  client._tracer = contextOnlyTracer;
  try {
    return fn();
  } finally {
    client._tracer = own;
  }
}

// ---------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------

/**
 * Recorded (never thrown) when the application aborts a stream: the SDK ends
 * the iteration quietly, and names a plain request aborted the same way, so
 * `error.type` reads the same for both.
 */
export class APIUserAbortError extends Error {
  constructor() {
    super('Request was aborted.');
    this.name = 'APIUserAbortError';
  }
}

/**
 * The Message a stream builds, as far as telemetry needs it: `message_start`
 * carries id, model and the input-side usage; `message_delta` carries the stop
 * reason and the final usage (its counts replace the earlier ones). Content is
 * kept only when it is going to be recorded.
 */
export class StreamedMessage {
  private message: AnthropicMessage | undefined;
  private usage: AnthropicUsage | undefined;
  private sawFirstDelta = false;

  constructor(private readonly keepContent: boolean) {}

  /** Adds one event; returns true when it is the first generated content (time to first chunk). */
  add(event: AnthropicStreamEvent): boolean {
    switch (event?.type) {
      case 'message_start':
        this.message = { ...event.message, content: [] };
        this.usage = { ...event.message?.usage };
        return false;
      case 'message_delta':
        if (event.delta?.stop_reason != null) this.ensureMessage().stop_reason = event.delta.stop_reason;
        if (event.usage) this.mergeUsage(event.usage);
        return false;
      case 'content_block_start':
        if (this.keepContent && event.content_block) {
          this.ensureMessage().content?.push({ ...event.content_block });
        }
        return false;
      case 'content_block_delta': {
        if (this.keepContent) this.appendDelta(event);
        const first = !this.sawFirstDelta;
        this.sawFirstDelta = true;
        return first;
      }
      default:
        return false;
    }
  }

  /** The Message so far, with the usage merged from every event; undefined before `message_start`. */
  snapshot(): AnthropicMessage | undefined {
    if (!this.message) return undefined;
    return { ...this.message, usage: this.usage };
  }

  private ensureMessage(): AnthropicMessage {
    this.message ??= { content: [] };
    return this.message;
  }

  private mergeUsage(delta: AnthropicUsage): void {
    this.usage ??= {};
    for (const [field, value] of Object.entries(delta)) {
      // `null` means "not applicable here", not zero: keep what message_start said.
      if (value !== null && value !== undefined) this.usage[field] = value;
    }
  }

  private appendDelta(event: AnthropicStreamEvent): void {
    const block = this.message?.content?.at(-1);
    const delta = event.delta;
    if (!block || !delta) return;
    if (delta.type === 'text_delta' && typeof delta.text === 'string')
      block.text = (block.text ?? '') + delta.text;
    if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') {
      block.thinking = (block.thinking ?? '') + delta.thinking;
    }
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      block.partial_json =
        (typeof block.partial_json === 'string' ? block.partial_json : '') + delta.partial_json;
    }
  }
}

// ---------------------------------------------------------------------------
// Content (opt-in): the semconv JSON shapes
// ---------------------------------------------------------------------------

type Part = Record<string, unknown>;

/** `gen_ai.input.messages`: the request's conversation. */
export function inputMessages(params: MessageCreateParams): unknown[] {
  return (params.messages ?? []).map((message) => ({
    role: message.role,
    parts: partsOf(message.content),
  }));
}

/** `gen_ai.system_instructions`: the request's `system` prompt, if any. */
export function systemInstructions(params: MessageCreateParams): unknown[] | undefined {
  if (params.system === undefined || params.system === null) return undefined;
  return partsOf(params.system);
}

/** `gen_ai.output.messages`: the generated Message. */
export function outputMessages(message: AnthropicMessage): unknown[] {
  return [
    {
      role: message.role ?? 'assistant',
      parts: partsOf(message.content ?? []),
      finish_reason: finishReasonOf(message.stop_reason),
    },
  ];
}

function partsOf(content: string | AnthropicContentBlock[]): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map(partOf);
}

function partOf(block: AnthropicContentBlock): Part {
  switch (block.type) {
    case 'text':
      return { type: 'text', content: block.text };
    case 'thinking':
      return { type: 'reasoning', content: block.thinking };
    case 'tool_use':
    case 'server_tool_use':
      return { type: 'tool_call', id: block.id, name: block.name, arguments: toolArguments(block) };
    case 'tool_result':
      return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
    default:
      // Images, documents and other blocks: their kind, never their bytes.
      return { type: block.type };
  }
}

/** A streamed tool call has its input as accumulated JSON text until the block ends. */
function toolArguments(block: AnthropicContentBlock): unknown {
  if (typeof block.partial_json === 'string' && block.partial_json) {
    try {
      return JSON.parse(block.partial_json);
    } catch {
      return block.partial_json;
    }
  }
  return block.input;
}

/** The semconv's finish reasons for the output message; the span keeps Anthropic's own stop reason. */
function finishReasonOf(stopReason: string | null | undefined): string | undefined {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_call';
    case 'refusal':
      return 'content_filter';
    default:
      return stopReason ?? undefined;
  }
}
