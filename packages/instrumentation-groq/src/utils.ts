/**
 * What Groq's chat completions say about a call: request attributes (a declarative table),
 * the response's model/id/finish reasons/served tier, the token ledger (the OpenAI chat
 * `usage`, which Groq streams in `x_groq.usage` on the last chunk), and opt-in content in the
 * semconv JSON shape. Nothing here touches the SDK's objects beyond reading them.
 */

import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  type CompletionStreamReader,
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

function finishReasonsOf(choices: unknown): string[] {
  if (!Array.isArray(choices)) return [];
  return choices.map((choice) => choice?.finish_reason).filter(isString);
}

function onChatResult(call: GenAICall, result: unknown): void {
  if (!isRecord(result)) return;
  call.setResponse({
    responseModel: result.model,
    responseId: result.id,
    finishReasons: finishReasonsOf(result.choices),
    serviceTier: isString(result.service_tier) ? result.service_tier : undefined,
  });
  call.setUsage(usageFromOpenAIChat(result.usage));
  if (call.captureContent && Array.isArray(result.choices)) {
    call.recordContent({
      outputMessages: result.choices.map((choice: any) =>
        outputMessage(choice?.message ?? {}, choice?.finish_reason),
      ),
    });
  }
}

function outputMessage(message: Record<string, any>, finishReason: unknown) {
  const parts: Array<Record<string, unknown>> = [];
  if (isString(message.reasoning)) parts.push({ type: 'reasoning', content: message.reasoning });
  if (isString(message.content)) parts.push({ type: 'text', content: message.content });
  for (const toolCall of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    parts.push({
      type: 'tool_call',
      id: toolCall?.id,
      name: toolCall?.function?.name,
      arguments: toolCall?.function?.arguments,
    });
  }
  return { role: 'assistant', parts, finish_reason: finishReason };
}

function chatInputContent(body: Record<string, any>): GenAIContent {
  if (!Array.isArray(body.messages)) return {};
  const systemInstructions: unknown[] = [];
  const inputMessages: unknown[] = [];
  for (const message of body.messages) {
    const text = typeof message?.content === 'string' ? [{ type: 'text', content: message.content }] : [];
    if (message?.role === 'system' || message?.role === 'developer') systemInstructions.push(...text);
    else if (message?.role === 'tool') {
      inputMessages.push({
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }],
      });
    } else if (message?.role === 'assistant')
      inputMessages.push({ ...outputMessage(message, undefined), finish_reason: undefined });
    else inputMessages.push({ role: message?.role, parts: text });
  }
  return systemInstructions.length > 0 ? { inputMessages, systemInstructions } : { inputMessages };
}

/**
 * Streamed chat chunks: text and tool-call deltas per choice, the finish reasons, and the usage
 * Groq sends in `x_groq.usage` on the last chunk (a `usage` at the top level is read too).
 */
class ChatStream implements CompletionStreamReader<unknown> {
  private id: string | undefined;
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: unknown;
  private readonly finishReasons: string[] = [];
  private readonly messages: Array<{ content: string; reasoning: string; tool_calls: any[] }> = [];

  constructor(private readonly call: GenAICall) {}

  add(chunk: unknown): boolean {
    if (!isRecord(chunk)) return false;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    if (isString(chunk.service_tier)) this.serviceTier = chunk.service_tier;
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (isRecord(usage)) this.usage = usage;
    if (!Array.isArray(chunk.choices)) return false;
    for (const choice of chunk.choices) {
      const index = typeof choice?.index === 'number' ? choice.index : 0;
      if (isString(choice?.finish_reason)) this.finishReasons[index] = choice.finish_reason;
      if (this.call.captureContent) this.join(index, choice?.delta);
    }
    return chunk.choices.length > 0;
  }

  private join(index: number, delta: Record<string, any> | undefined): void {
    this.messages[index] ??= { content: '', reasoning: '', tool_calls: [] };
    const message = this.messages[index];
    if (isString(delta?.content)) message.content += delta.content;
    if (isString(delta?.reasoning)) message.reasoning += delta.reasoning;
    for (const toolCall of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
      const at = typeof toolCall?.index === 'number' ? toolCall.index : message.tool_calls.length;
      message.tool_calls[at] ??= { id: toolCall?.id, function: { name: undefined, arguments: '' } };
      const entry = message.tool_calls[at];
      if (isString(toolCall?.function?.name)) entry.function.name = toolCall.function.name;
      if (isString(toolCall?.function?.arguments)) entry.function.arguments += toolCall.function.arguments;
    }
  }

  finish(): unknown {
    this.call.setResponse({
      responseModel: this.model,
      responseId: this.id,
      finishReasons: this.finishReasons.filter(isString),
      serviceTier: this.serviceTier,
    });
    this.call.setUsage(this.usage === undefined ? undefined : usageFromOpenAIChat(this.usage));
    if (this.call.captureContent) {
      this.call.recordContent({
        outputMessages: this.finishReasons.map((reason, index) =>
          outputMessage(this.messages[index] ?? {}, reason),
        ),
      });
    }
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
