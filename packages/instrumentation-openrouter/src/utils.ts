/**
 * What OpenRouter's chat and embeddings endpoints say about a call, as the SDK hands them out
 * (camelCase objects parsed by its zod schemas): request attributes (the table in `semconv.ts`),
 * the response's model/id/finish reasons, the token ledger (`usageFromOpenAIChat` reads both
 * spellings), the cost OpenRouter billed (`usage.cost`, USD), and opt-in content in the semconv
 * JSON shape. Nothing here touches the SDK's objects beyond reading them.
 */

import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ChatChoiceDeltas,
  type CompletionStreamReader,
  chatFinishReason,
  chatMessageParts,
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAIContent,
  providerByName,
  readRequestAttributes,
  reportedCostFromBody,
  usageFromOpenAIChat,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_REQUEST_ATTRIBUTES } from './semconv.js';

/** One instrumented SDK method: where its request body is, and how to read its response. */
export interface Endpoint {
  operation: string;
  /** The request body inside the method's first argument (`chatRequest`, `requestBody`). */
  body(request: Record<string, any>): Record<string, any> | undefined;
  describe(body: Record<string, any>): {
    requestModel: string | undefined;
    attributes: Attributes;
    stream: boolean;
  };
  onResult(call: GenAICall, result: unknown): void;
  streamReader?(call: GenAICall): CompletionStreamReader<unknown>;
  inputContent?(body: Record<string, any>): GenAIContent;
}

const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** OpenRouter's registry record: where its responses state what it billed (`usage.cost`, USD). */
const OPENROUTER = providerByName(GEN_AI_PROVIDER.OPENROUTER);

/**
 * Records the usage of a response (or of the stream chunk that carries it) and what OpenRouter
 * billed for it, exactly as stated: `aicost.cost.reported` and, being the bill, `provider_reported`.
 */
function recordUsage(call: GenAICall, body: Record<string, any>): void {
  const reportedCost = reportedCostFromBody(body, OPENROUTER);
  call.setUsage(usageFromOpenAIChat(body.usage), reportedCost ? { reportedCost } : undefined);
}

function describeChat(body: Record<string, any>) {
  const attributes = readRequestAttributes(body, CHAT_REQUEST_ATTRIBUTES, { stop: 'stop' });
  // `maxTokens` is the older spelling of `maxCompletionTokens`.
  if (attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] === undefined && typeof body.maxTokens === 'number') {
    attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = body.maxTokens;
  }
  const format = body.responseFormat?.type;
  if (format === 'json_schema' || format === 'json_object') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  else if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'text';
  // `models` (fallbacks) without `model`: the router picks; the response names the model.
  const requestModel = isString(body.model) ? body.model : undefined;
  return { requestModel, attributes, stream: body.stream === true };
}

function chatInputContent(body: Record<string, any>): GenAIContent {
  if (!Array.isArray(body.messages)) return {};
  const systemInstructions: unknown[] = [];
  const inputMessages: unknown[] = [];
  for (const message of body.messages) {
    if (!isRecord(message)) continue;
    if (message.role === 'system' || message.role === 'developer')
      systemInstructions.push(...chatMessageParts(message));
    else if (message.role === 'tool') {
      inputMessages.push({
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }],
      });
    } else inputMessages.push({ role: message.role, parts: chatMessageParts(message) });
  }
  return systemInstructions.length > 0 ? { inputMessages, systemInstructions } : { inputMessages };
}

function onChatResult(call: GenAICall, result: unknown): void {
  if (!isRecord(result)) return;
  const choices: any[] = Array.isArray(result.choices) ? result.choices : [];
  call.setResponse({
    responseModel: result.model,
    responseId: result.id,
    finishReasons: choices.map(chatFinishReason).filter(isString),
  });
  recordUsage(call, result);
  if (call.captureContent) {
    call.recordContent({
      outputMessages: choices.map((choice) => ({
        role: 'assistant',
        parts: chatMessageParts(choice?.message),
        finish_reason: chatFinishReason(choice),
      })),
    });
  }
}

/**
 * Streamed chat chunks: the choices' deltas (core's `ChatChoiceDeltas`), the usage (with its
 * cost) on the last chunk, and an error chunk OpenRouter sends when the upstream provider fails
 * mid-stream (HTTP 200, `error` on the chunk).
 */
class ChatStream implements CompletionStreamReader<unknown> {
  private id: string | undefined;
  private model: string | undefined;
  /** The chunk that carried the usage (and the cost beside it). */
  private usageChunk: Record<string, any> | undefined;
  private failure: Error | undefined;
  private readonly choices: ChatChoiceDeltas;

  constructor(private readonly call: GenAICall) {
    this.choices = new ChatChoiceDeltas(call.captureContent);
  }

  add(chunk: unknown): boolean {
    if (!isRecord(chunk)) return false;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    if (isRecord(chunk.usage)) this.usageChunk = chunk;
    if (isRecord(chunk.error))
      this.failure = new OpenRouterStreamError(chunk.error.message, chunk.error.code);
    return this.choices.add(chunk.choices);
  }

  finish(): unknown {
    this.call.setResponse({
      responseModel: this.model,
      responseId: this.id,
      finishReasons: this.choices.finishReasons(),
    });
    if (this.usageChunk) recordUsage(this.call, this.usageChunk);
    if (this.call.captureContent) this.call.recordContent({ outputMessages: this.choices.outputMessages() });
    return this.failure;
  }
}

/** An error OpenRouter reported inside a stream (HTTP 200): the call fails with it. */
export class OpenRouterStreamError extends Error {
  override name = 'OpenRouterStreamError';
  constructor(
    message: unknown,
    readonly code: unknown,
  ) {
    super(typeof message === 'string' ? message : 'stream error');
  }
}

export const CHAT: Endpoint = {
  operation: GEN_AI_OPERATION.CHAT,
  body: (request) => (isRecord(request.chatRequest) ? request.chatRequest : undefined),
  describe: describeChat,
  onResult: onChatResult,
  streamReader: (call) => new ChatStream(call),
  inputContent: chatInputContent,
};

export const EMBEDDINGS: Endpoint = {
  operation: GEN_AI_OPERATION.EMBEDDINGS,
  body: (request) => (isRecord(request.requestBody) ? request.requestBody : undefined),
  describe: (body) => ({
    requestModel: isString(body.model) ? body.model : undefined,
    attributes: {},
    stream: false,
  }),
  onResult(call, result) {
    // `string`: a non-JSON body the SDK passes through; nothing to read.
    if (!isRecord(result)) return;
    call.setResponse({ responseModel: result.model, responseId: result.id });
    recordUsage(call, result);
  },
};
