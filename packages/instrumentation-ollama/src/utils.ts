/**
 * What each Ollama endpoint says about a call: request attributes, the response's model and
 * finish reason, the token ledger (`usageFromOllama`), the streamed objects, and opt-in content
 * in the semconv JSON shape. Nothing here touches the SDK's objects beyond reading them.
 */

import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  GEN_AI_OPERATION,
  type GenAICall,
  type GenAIContent,
  readRequestAttributes,
  usageFromOllama,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { OPTIONS_REQUEST_ATTRIBUTES } from './semconv.js';

/** One instrumented method of the `Ollama` class. */
export interface Endpoint {
  operation: string;
  /** Attributes known before the request is sent; `request` is the caller's first argument. */
  describe(request: Record<string, any>): { requestModel: string | undefined; attributes: Attributes };
  /** A response object: the whole (non-streamed) response, or the last object of a stream. */
  onResult(call: GenAICall, response: unknown): void;
  /** Opt-in prompt content. */
  inputContent?(request: Record<string, any>): GenAIContent;
  /** Opt-in completion content of a response (streamed text is accumulated into it first). */
  outputContent?(response: Record<string, any>): GenAIContent;
}

const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Sampling options live in `options` (the Modelfile's parameter names). */
function describeGeneration(request: Record<string, any>) {
  const attributes = isRecord(request.options)
    ? readRequestAttributes(request.options, OPTIONS_REQUEST_ATTRIBUTES, { stop: 'stop' })
    : {};
  // `format: 'json'` or a JSON schema object.
  if (request.format === 'json' || isRecord(request.format)) attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  return { requestModel: isString(request.model) ? request.model : undefined, attributes };
}

function recordResponse(call: GenAICall, response: unknown): void {
  if (!isRecord(response)) return;
  call.setResponse({
    responseModel: response.model,
    finishReasons: isString(response.done_reason) ? [response.done_reason] : [],
  });
  call.setUsage(usageFromOllama(response));
}

function messageParts(message: Record<string, any>): Array<Record<string, unknown>> {
  const parts: Array<Record<string, unknown>> = [];
  if (isString(message.thinking)) parts.push({ type: 'reasoning', content: message.thinking });
  if (isString(message.content)) parts.push({ type: 'text', content: message.content });
  if (Array.isArray(message.tool_calls)) {
    for (const toolCall of message.tool_calls) {
      parts.push({
        type: 'tool_call',
        name: toolCall?.function?.name,
        arguments: toolCall?.function?.arguments,
      });
    }
  }
  return parts;
}

function chatInputContent(request: Record<string, any>): GenAIContent {
  if (!Array.isArray(request.messages)) return {};
  const inputMessages: unknown[] = [];
  const systemInstructions: unknown[] = [];
  for (const message of request.messages) {
    if (!isRecord(message)) continue;
    if (message.role === 'system') systemInstructions.push(...messageParts(message));
    else if (message.role === 'tool') {
      inputMessages.push({
        role: 'tool',
        parts: [{ type: 'tool_call_response', name: message.tool_name, response: message.content }],
      });
    } else inputMessages.push({ role: message.role, parts: messageParts(message) });
  }
  return systemInstructions.length > 0 ? { inputMessages, systemInstructions } : { inputMessages };
}

const CHAT: Endpoint = {
  operation: GEN_AI_OPERATION.CHAT,
  describe: describeGeneration,
  onResult: recordResponse,
  inputContent: chatInputContent,
  outputContent: (response) => ({
    outputMessages: [
      {
        role: 'assistant',
        parts: isRecord(response.message) ? messageParts(response.message) : [],
        finish_reason: response.done_reason,
      },
    ],
  }),
};

const GENERATE: Endpoint = {
  operation: GEN_AI_OPERATION.TEXT_COMPLETION,
  describe: describeGeneration,
  onResult: recordResponse,
  inputContent: (request) => ({
    inputMessages: [
      { role: 'user', parts: isString(request.prompt) ? [{ type: 'text', content: request.prompt }] : [] },
    ],
    ...(isString(request.system) ? { systemInstructions: [{ type: 'text', content: request.system }] } : {}),
  }),
  outputContent: (response) => ({
    outputMessages: [
      {
        role: 'assistant',
        parts: messageParts({ content: response.response, thinking: response.thinking }),
        finish_reason: response.done_reason,
      },
    ],
  }),
};

const EMBED: Endpoint = {
  operation: GEN_AI_OPERATION.EMBEDDINGS,
  describe: (request) => ({
    requestModel: isString(request.model) ? request.model : undefined,
    attributes: {},
  }),
  onResult: (call, response) => {
    if (!isRecord(response)) return;
    call.setResponse({ responseModel: response.model });
    call.setUsage(usageFromOllama(response));
  },
};

/** The instrumented methods of the `Ollama` class: its generation endpoints. */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = { chat: CHAT, generate: GENERATE, embed: EMBED };

/**
 * Follows a stream of response objects: the last one (`done: true`) carries the counts and the
 * finish reason; the text and thinking of the others are joined for opt-in content.
 */
export class StreamedResponse {
  private last: Record<string, any> | undefined;
  private content = '';
  private thinking = '';
  private readonly toolCalls: unknown[] = [];

  constructor(private readonly captureContent: boolean) {}

  /** Takes one streamed object into account; every object is one (it counts for the time to first chunk). */
  add(chunk: unknown): boolean {
    if (!isRecord(chunk)) return false;
    this.last = chunk;
    if (this.captureContent) this.join(chunk);
    return true;
  }

  private join(chunk: Record<string, any>): void {
    const message = isRecord(chunk.message) ? chunk.message : chunk;
    if (isString(message.content)) this.content += message.content;
    if (isString(chunk.response)) this.content += chunk.response;
    if (isString(message.thinking)) this.thinking += message.thinking;
    if (Array.isArray(message.tool_calls)) this.toolCalls.push(...message.tool_calls);
  }

  /** The last object seen, with the joined text in place of its own (for content capture). */
  snapshot(): Record<string, any> | undefined {
    if (!this.last || !this.captureContent) return this.last;
    return {
      ...this.last,
      response: this.content,
      message: {
        role: 'assistant',
        content: this.content,
        thinking: this.thinking,
        tool_calls: this.toolCalls,
      },
    };
  }
}
