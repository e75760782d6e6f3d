/**
 * What each OpenAI endpoint says about a call: request attributes, the
 * response's model/id/finish reasons, the token ledger (through the @aicost/core
 * converters), streamed chunks, and opt-in content in the semconv JSON shape.
 * Nothing here touches the SDK's objects beyond reading them.
 */

import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  COST_STATUS_REASON,
  GEN_AI_OPERATION,
  type GenAICall,
  type InvalidUsage,
  PROVIDER_REGISTRY,
  type ProviderRecord,
  type ReportedCost,
  reportedCostFromBody,
  type TokenUsage,
  usageFromOpenAIChat,
  usageFromOpenAIResponses,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_REQUEST_ATTRIBUTES } from './semconv.js';

type Usage = TokenUsage | InvalidUsage | undefined;

/** Follows one streamed response; `finish` writes what it learned to the call. */
export interface StreamAccumulator {
  onChunk(chunk: unknown): void;
  /** Whether usage was seen, for accumulators whose usage must be asked for (chat); absent: not applicable. */
  readonly sawUsage?: boolean;
  /** Returns an error when the stream itself reported a failure (Responses `response.failed`). */
  finish(call: GenAICall): unknown;
}

/** One instrumented SDK method. */
export interface Endpoint {
  operation: string;
  /** Attributes known before the request is sent. `body` is the caller's first argument. */
  describe(body: any): { requestModel: string | undefined; attributes: Attributes; stream: boolean };
  /** A parsed, non-streamed result. */
  onResult(call: GenAICall, result: unknown): void;
  /** A streamed result; absent for endpoints that never stream. */
  accumulator?(call: GenAICall): StreamAccumulator;
  /** Opt-in prompt content. */
  inputContent?(body: any): { inputMessages?: unknown; systemInstructions?: unknown };
}

const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function setIf(attributes: Attributes, key: string, value: unknown): void {
  if (isNumber(value) || isString(value)) attributes[key] = value;
}

function modelOf(body: any): string | undefined {
  return isString(body?.model) ? body.model : undefined;
}

// ---------------------------------------------------------------------------
// Chat completions (and legacy completions, which share the wire shape)
// ---------------------------------------------------------------------------

function describeChat(body: any) {
  const attributes: Attributes = {};
  setIf(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS, body.max_completion_tokens ?? body.max_tokens);
  for (const name in CHAT_REQUEST_ATTRIBUTES) setIf(attributes, name, body[CHAT_REQUEST_ATTRIBUTES[name]!]);
  if (isNumber(body.n) && body.n !== 1) attributes[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = body.n;
  if (isString(body.stop)) attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [body.stop];
  else if (Array.isArray(body.stop))
    attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = body.stop.filter(isString);
  const format = body.response_format?.type;
  if (format === 'json_schema' || format === 'json_object') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  else if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'text';
  return { requestModel: modelOf(body), attributes, stream: body.stream === true };
}

function finishReasonsOf(choices: unknown): string[] {
  if (!Array.isArray(choices)) return [];
  const reasons: string[] = [];
  for (const choice of choices) if (isString(choice?.finish_reason)) reasons.push(choice.finish_reason);
  return reasons;
}

function onChatResult(call: GenAICall, result: unknown): void {
  if (!isRecord(result)) return;
  call.setResponse({
    responseModel: result.model,
    responseId: result.id,
    finishReasons: finishReasonsOf(result.choices),
    serviceTier: serviceTierOf(result),
  });
  call.setUsage(usageFromOpenAIChat(result.usage), reportedCostOption(result));
  if (call.captureContent && Array.isArray(result.choices)) {
    call.recordContent({ outputMessages: result.choices.map(chatChoiceToOutputMessage) });
  }
}

/** Providers whose responses state what they billed in the body (OpenRouter: `usage.cost`), from the registry. */
const BODY_COST_PROVIDERS: readonly ProviderRecord[] = PROVIDER_REGISTRY.filter(
  (record: ProviderRecord) => record.reportedCost?.in === 'body',
);

/**
 * The cost a gateway states in the response body, exactly as sent: recorded as
 * `aicost.cost.reported` and, being what was billed, priced `provider_reported`.
 */
function reportedCostOption(body: unknown): { reportedCost?: ReportedCost } {
  for (const provider of BODY_COST_PROVIDERS) {
    const reportedCost = reportedCostFromBody(body, provider);
    if (reportedCost) return { reportedCost };
  }
  return {};
}

/** The tier that served the call (`service_tier` of a chat completion, chunk or response), not the requested one. */
function serviceTierOf(result: Record<string, any>): string | undefined {
  return isString(result.service_tier) ? result.service_tier : undefined;
}

/** Chat chunks carry the usage (when asked for) on a last chunk with no choices. */
class ChatStream implements StreamAccumulator {
  private id: string | undefined;
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: unknown;
  /** The chunk that carried the usage (and a gateway's cost beside it). */
  private usageChunk: unknown;
  private readonly finishReasons: string[] = [];
  private readonly texts: string[] = [];
  private readonly toolCalls: Array<Map<number, { id?: string; name?: string; arguments: string }>> = [];

  constructor(private readonly captureContent: boolean) {}

  onChunk(chunk: unknown): void {
    if (!isRecord(chunk)) return;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    this.serviceTier = serviceTierOf(chunk) ?? this.serviceTier;
    if (chunk.usage) {
      this.usage = chunk.usage;
      this.usageChunk = chunk;
    }
    // Some compatible servers send keep-alive or metadata chunks without `choices`.
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      const index = isNumber(choice?.index) ? choice.index : 0;
      if (isString(choice?.finish_reason)) this.finishReasons[index] = choice.finish_reason;
      if (this.captureContent) this.collectContent(index, choice?.delta ?? choice);
    }
  }

  get sawUsage(): boolean {
    return this.usage !== undefined;
  }

  finish(call: GenAICall): unknown {
    call.setResponse({
      responseModel: this.model,
      responseId: this.id,
      finishReasons: this.finishReasons.filter(isString),
      serviceTier: this.serviceTier,
    });
    call.setUsage(
      this.usage === undefined ? undefined : usageFromOpenAIChat(this.usage),
      reportedCostOption(this.usageChunk),
    );
    if (this.captureContent) {
      const outputMessages = this.finishReasons.map((reason, index) => ({
        role: 'assistant',
        parts: [
          ...(this.texts[index] ? [{ type: 'text', content: this.texts[index] }] : []),
          ...[...(this.toolCalls[index]?.values() ?? [])].map((tc) => ({
            type: 'tool_call',
            id: tc.id,
            name: tc.name,
            arguments: tc.arguments,
          })),
        ],
        finish_reason: reason,
      }));
      call.recordContent({ outputMessages });
    }
    return undefined;
  }

  private collectContent(index: number, delta: any): void {
    const text = delta?.content ?? delta?.text;
    if (isString(text)) this.texts[index] = (this.texts[index] ?? '') + text;
    if (!Array.isArray(delta?.tool_calls)) return;
    this.toolCalls[index] ??= new Map();
    const calls = this.toolCalls[index]!;
    for (const tc of delta.tool_calls) {
      const key = isNumber(tc?.index) ? tc.index : 0;
      const entry = calls.get(key) ?? { arguments: '' };
      if (isString(tc?.id)) entry.id = tc.id;
      if (isString(tc?.function?.name)) entry.name = tc.function.name;
      if (isString(tc?.function?.arguments)) entry.arguments += tc.function.arguments;
      calls.set(key, entry);
    }
  }
}

/** The usage-only chunk `stream_options.include_usage` adds: no choices, a usage object. */
export function isUsageOnlyChunk(chunk: unknown): boolean {
  return (
    isRecord(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isRecord(chunk.usage)
  );
}

function textParts(content: unknown): Array<Record<string, unknown>> {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part) =>
    isString(part?.text) ? { type: 'text', content: part.text } : { type: String(part?.type ?? 'unknown') },
  );
}

function chatInputContent(body: any) {
  if (!Array.isArray(body.messages)) return {};
  const system: Array<Record<string, unknown>> = [];
  const inputMessages: unknown[] = [];
  for (const message of body.messages) {
    if (message?.role === 'system' || message?.role === 'developer') {
      system.push(...textParts(message.content));
      continue;
    }
    const parts = textParts(message?.content);
    if (Array.isArray(message?.tool_calls)) {
      for (const tc of message.tool_calls) {
        parts.push({
          type: 'tool_call',
          id: tc?.id,
          name: tc?.function?.name,
          arguments: tc?.function?.arguments,
        });
      }
    }
    if (message?.role === 'tool') {
      inputMessages.push({
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }],
      });
      continue;
    }
    inputMessages.push({ role: message?.role, parts });
  }
  return system.length > 0 ? { inputMessages, systemInstructions: system } : { inputMessages };
}

function chatChoiceToOutputMessage(choice: any) {
  const message = choice?.message ?? {};
  const parts = textParts(message.content ?? choice?.text);
  if (Array.isArray(message.tool_calls)) {
    for (const tc of message.tool_calls) {
      parts.push({
        type: 'tool_call',
        id: tc?.id,
        name: tc?.function?.name,
        arguments: tc?.function?.arguments,
      });
    }
  }
  return { role: 'assistant', parts, finish_reason: choice?.finish_reason };
}

export const CHAT: Endpoint = {
  operation: GEN_AI_OPERATION.CHAT,
  describe: describeChat,
  onResult: onChatResult,
  accumulator: (call) => new ChatStream(call.captureContent),
  inputContent: chatInputContent,
};

export const COMPLETIONS: Endpoint = {
  operation: GEN_AI_OPERATION.TEXT_COMPLETION,
  describe: describeChat,
  onResult: onChatResult,
  accumulator: (call) => new ChatStream(call.captureContent),
  inputContent: (body) => ({ inputMessages: [{ role: 'user', parts: textParts(body.prompt) }] }),
};

// ---------------------------------------------------------------------------
// Responses API
// ---------------------------------------------------------------------------

function describeResponses(body: any) {
  const attributes: Attributes = {};
  setIf(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS, body.max_output_tokens);
  setIf(attributes, ATTR_GEN_AI_REQUEST_TEMPERATURE, body.temperature);
  setIf(attributes, ATTR_GEN_AI_REQUEST_TOP_P, body.top_p);
  const format = body.text?.format?.type;
  if (format === 'json_schema' || format === 'json_object') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  else if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'text';
  const conversation = isString(body.conversation) ? body.conversation : body.conversation?.id;
  setIf(attributes, ATTR_GEN_AI_CONVERSATION_ID, conversation);
  return { requestModel: modelOf(body), attributes, stream: body.stream === true };
}

/** A response's outcome as a finish reason: why it is incomplete, else its status. */
function responseFinishReasons(response: Record<string, any>): string[] {
  const reason = response.incomplete_details?.reason ?? response.status;
  return isString(reason) ? [reason] : [];
}

function applyResponse(call: GenAICall, response: Record<string, any>): void {
  call.setResponse({
    responseModel: response.model,
    responseId: response.id,
    finishReasons: responseFinishReasons(response),
    serviceTier: serviceTierOf(response),
  });
  call.setUsage(usageFromOpenAIResponses(response.usage), reportedCostOption(response));
  if (call.captureContent && Array.isArray(response.output)) {
    call.recordContent({ outputMessages: responseOutputMessages(response.output) });
  }
}

function responseOutputMessages(output: any[]) {
  const parts: Array<Record<string, unknown>> = [];
  for (const item of output) {
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const c of item.content) {
        if (isString(c?.text)) parts.push({ type: 'text', content: c.text });
        else if (isString(c?.refusal)) parts.push({ type: 'refusal', content: c.refusal });
      }
    } else if (item?.type === 'function_call') {
      parts.push({ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return [{ role: 'assistant', parts }];
}

/** An error a failed response reports in-band (HTTP 200, `status: failed`). */
export class OpenAIResponseFailedError extends Error {
  override name = 'OpenAIResponseFailedError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Responses stream events: `response.created` names the response; a terminal event carries usage. */
class ResponsesStream implements StreamAccumulator {
  private response: Record<string, any> | undefined;
  private failure: unknown;

  onChunk(event: unknown): void {
    if (!isRecord(event)) return;
    if (isRecord(event.response)) {
      // Later snapshots (in_progress, completed) supersede earlier ones.
      this.response = event.response;
      if (event.type === 'response.failed') {
        const error = event.response.error;
        this.failure = new OpenAIResponseFailedError(error?.message ?? 'response failed', error?.code);
      }
    } else if (event.type === 'error') {
      this.failure = new OpenAIResponseFailedError(String(event.message ?? 'stream error'), event.code);
    }
  }

  finish(call: GenAICall): unknown {
    if (this.response) applyResponse(call, this.response);
    return this.failure;
  }
}

function responsesInputContent(body: any) {
  const content: { inputMessages?: unknown; systemInstructions?: unknown } = {};
  if (typeof body.input === 'string')
    content.inputMessages = [{ role: 'user', parts: textParts(body.input) }];
  else if (Array.isArray(body.input)) {
    content.inputMessages = body.input.map((item: any) =>
      item?.type === 'function_call_output'
        ? { role: 'tool', parts: [{ type: 'tool_call_response', id: item.call_id, response: item.output }] }
        : { role: item?.role ?? item?.type, parts: textParts(item?.content) },
    );
  }
  if (isString(body.instructions)) content.systemInstructions = textParts(body.instructions);
  return content;
}

export const RESPONSES: Endpoint = {
  operation: GEN_AI_OPERATION.CHAT,
  describe: describeResponses,
  onResult(call, result) {
    if (isRecord(result)) applyResponse(call, result);
  },
  accumulator: () => new ResponsesStream(),
  inputContent: responsesInputContent,
};

// ---------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------

export const EMBEDDINGS: Endpoint = {
  operation: GEN_AI_OPERATION.EMBEDDINGS,
  describe(body) {
    const attributes: Attributes = {};
    if (isString(body.encoding_format))
      attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [body.encoding_format];
    return { requestModel: modelOf(body), attributes, stream: false };
  },
  onResult(call, result) {
    if (!isRecord(result)) return;
    call.setResponse({ responseModel: result.model });
    call.setUsage(usageFromOpenAIChat(result.usage));
  },
};

// ---------------------------------------------------------------------------
// Images and audio: priced from token usage when the API reports it
// ---------------------------------------------------------------------------

/** A ledger with no tokens: only billable units (images generated). */
function requestsOnly(requests: number): TokenUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    requests,
  };
}

/**
 * gpt-image models report token usage (`input_tokens_details.image_tokens`,
 * the Responses shape); DALL·E reports none and is billed per image, which the
 * ledger carries as `requests` (the catalogue decides whether it knows the model).
 */
function imageUsage(result: Record<string, any>): Usage {
  if (isRecord(result.usage)) return withRequests(usageFromOpenAIResponses(result.usage), 1);
  const count = Array.isArray(result.data) ? result.data.length : 0;
  return count > 0 ? requestsOnly(count) : undefined;
}

function withRequests(usage: Usage, requests: number): Usage {
  return usage && 'requests' in usage ? { ...usage, requests } : usage;
}

/** Streamed images and transcriptions: the completing event carries `usage`. */
class UsageEventStream implements StreamAccumulator {
  private usage: Usage;
  private usageUnit: 'tokens' | 'duration' | undefined;
  constructor(private readonly read: (usage: Record<string, any>) => { usage: Usage; unit?: 'duration' }) {}
  onChunk(event: unknown): void {
    if (!isRecord(event) || !isRecord(event.usage)) return;
    const { usage, unit } = this.read(event.usage);
    this.usage = usage;
    this.usageUnit = unit ?? 'tokens';
  }
  finish(call: GenAICall): unknown {
    if (this.usageUnit === 'duration') call.markUnpriced(COST_STATUS_REASON.UNSUPPORTED_UNIT);
    else call.setUsage(this.usage);
    return undefined;
  }
}

export const IMAGES_GENERATE: Endpoint = {
  operation: GEN_AI_OPERATION.IMAGE_GENERATION,
  describe(body) {
    const attributes: Attributes = { [ATTR_GEN_AI_OUTPUT_TYPE]: 'image' };
    if (isNumber(body.n) && body.n !== 1) attributes[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = body.n;
    return { requestModel: modelOf(body), attributes, stream: body.stream === true };
  },
  onResult(call, result) {
    if (!isRecord(result)) return;
    call.setUsage(imageUsage(result));
  },
  accumulator: () => new UsageEventStream((usage) => ({ usage: usageFromOpenAIResponses(usage) })),
  inputContent: (body) => ({ inputMessages: [{ role: 'user', parts: textParts(body.prompt) }] }),
};

/**
 * Transcription usage comes in two units: tokens (gpt-4o-transcribe, priced)
 * or seconds of audio (whisper-1, billed per minute: not a ledger unit).
 */
function transcriptionUsage(usage: Record<string, any>): { usage: Usage; unit?: 'duration' } {
  if (usage.type === 'duration') return { usage: undefined, unit: 'duration' };
  return {
    usage: usageFromOpenAIResponses({
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      input_tokens_details: usage.input_token_details ?? usage.input_tokens_details,
    }),
  };
}

function onTranscriptionResult(call: GenAICall, result: unknown): void {
  // `response_format: text|srt|vtt` returns a string without usage.
  if (!isRecord(result) || !isRecord(result.usage)) return;
  const { usage, unit } = transcriptionUsage(result.usage);
  if (unit === 'duration') call.markUnpriced(COST_STATUS_REASON.UNSUPPORTED_UNIT);
  else call.setUsage(usage);
}

export const AUDIO_TRANSCRIPTION: Endpoint = {
  operation: GEN_AI_OPERATION.AUDIO_TRANSCRIPTION,
  describe: (body) => ({ requestModel: modelOf(body), attributes: {}, stream: body.stream === true }),
  onResult: onTranscriptionResult,
  accumulator: () => new UsageEventStream(transcriptionUsage),
};

export const AUDIO_TRANSLATION: Endpoint = {
  operation: GEN_AI_OPERATION.AUDIO_TRANSCRIPTION,
  describe: (body) => ({ requestModel: modelOf(body), attributes: {}, stream: false }),
  onResult: onTranscriptionResult,
};

/** Speech returns audio bytes and no usage: the call ends `unpriced` / `missing_usage`. */
export const AUDIO_SPEECH: Endpoint = {
  operation: GEN_AI_OPERATION.AUDIO_SPEECH,
  describe: (body) => ({
    requestModel: modelOf(body),
    attributes: { [ATTR_GEN_AI_OUTPUT_TYPE]: 'speech' },
    stream: false,
  }),
  onResult() {},
  inputContent: (body) => ({ inputMessages: [{ role: 'user', parts: textParts(body.input) }] }),
};
