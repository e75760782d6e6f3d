/**
 * What Groq's chat completions say about a call: request attributes (a declarative table),
 * the response's model/id/finish reasons/served tier, the token ledger (the OpenAI chat
 * `usage`, which Groq streams in `x_groq.usage` on the last chunk), and opt-in content in the
 * semconv JSON shape. Nothing here touches the SDK's objects beyond reading them.
 */

import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ChatChoiceDeltas,
  type CompletionStreamReader,
  chatFinishReason,
  chatMessageParts,
  GEN_AI_OPERATION,
  type GenAICall,
  type GenAIContent,
  readRequestAttributes,
  usageFromOpenAIChat,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_REQUEST_ATTRIBUTES } from './semconv.js';

/** One instrumented SDK method. */
export interface Endpoint {
  operation: string;
  /** Attributes known before the request is sent; `body` is the caller's first argument. */
  describe(body: Record<string, any>): {
    requestModel: string | undefined;
    attributes: Attributes;
    stream: boolean;
  };
  /** A parsed, non-streamed result. */
  onResult(call: GenAICall, result: unknown): void;
  /** A streamed result's reader; absent for endpoints that never stream. */
  streamReader?(call: GenAICall): CompletionStreamReader<unknown>;
  /** Opt-in prompt content. */
  inputContent?(body: Record<string, any>): GenAIContent;
}

const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function describeChat(body: Record<string, any>) {
  const attributes = readRequestAttributes(body, CHAT_REQUEST_ATTRIBUTES, { stop: 'stop', choiceCount: 'n' });
  // `max_tokens` is the deprecated spelling of `max_completion_tokens`.
  if (attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] === undefined && typeof body.max_tokens === 'number') {
    attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = body.max_tokens;
  }
  const format = body.response_format?.type;
  if (format === 'json_schema' || format === 'json_object') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  else if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'text';
  return {
    requestModel: isString(body.model) ? body.model : undefined,
    attributes,
    stream: body.stream === true,
  };
}

function onChatResult(call: GenAICall, result: unknown): void {
  if (!isRecord(result)) return;
  const choices: unknown[] = Array.isArray(result.choices) ? result.choices : [];
  call.setResponse({
    responseModel: result.model,
    responseId: result.id,
    finishReasons: choices.map(chatFinishReason).filter(isString),
    serviceTier: isString(result.service_tier) ? result.service_tier : undefined,
  });
  call.setUsage(usageFromOpenAIChat(result.usage));
  if (call.captureContent) {
    call.recordContent({
      outputMessages: choices.map((choice: any) => ({
        role: 'assistant',
        parts: chatMessageParts(choice?.message),
        finish_reason: chatFinishReason(choice),
      })),
    });
  }
}

function chatInputContent(body: Record<string, any>): GenAIContent {
  if (!Array.isArray(body.messages)) return {};
  const systemInstructions: unknown[] = [];
  const inputMessages: unknown[] = [];
  for (const message of body.messages) {
    if (message?.role === 'system' || message?.role === 'developer')
      systemInstructions.push(...chatMessageParts(message));
    else if (message?.role === 'tool') {
      inputMessages.push({
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }],
      });
    } else inputMessages.push({ role: message?.role, parts: chatMessageParts(message) });
  }
  return systemInstructions.length > 0 ? { inputMessages, systemInstructions } : { inputMessages };
}

/**
 * Streamed chat chunks: the choices' deltas (core's `ChatChoiceDeltas`), and the usage Groq
 * sends in `x_groq.usage` on the last chunk (a `usage` at the top level is read too).
 */
class ChatStream implements CompletionStreamReader<unknown> {
  private id: string | undefined;
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: unknown;
  private readonly choices: ChatChoiceDeltas;

  constructor(private readonly call: GenAICall) {
    this.choices = new ChatChoiceDeltas(call.captureContent);
  }

  add(chunk: unknown): boolean {
    if (!isRecord(chunk)) return false;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    if (isString(chunk.service_tier)) this.serviceTier = chunk.service_tier;
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (isRecord(usage)) this.usage = usage;
    return this.choices.add(chunk.choices);
  }

  finish(): unknown {
    this.call.setResponse({
      responseModel: this.model,
      responseId: this.id,
      finishReasons: this.choices.finishReasons(),
      serviceTier: this.serviceTier,
    });
    this.call.setUsage(this.usage === undefined ? undefined : usageFromOpenAIChat(this.usage));
    if (this.call.captureContent) this.call.recordContent({ outputMessages: this.choices.outputMessages() });
    return undefined;
  }
}

export const CHAT: Endpoint = {
  operation: GEN_AI_OPERATION.CHAT,
  describe: describeChat,
  onResult: onChatResult,
  streamReader: (call) => new ChatStream(call),
  inputContent: chatInputContent,
};
