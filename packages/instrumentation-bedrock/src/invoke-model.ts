/**
 * InvokeModel bodies. Each model family on Bedrock keeps its own request and
 * response format (Anthropic Messages, Meta Llama, Amazon Nova and Titan,
 * Mistral, Cohere, the OpenAI-format models); this module reads the few fields
 * telemetry needs from any of them. Token counts are left to the core ledger
 * converter (`usageFromBedrockInvokeModel`), which knows the same formats.
 */
import {
  type BedrockModelFamily,
  bedrockModelFamily,
  GEN_AI_OPERATION,
  type LedgerResult,
  usageFromAnthropic,
  usageFromBedrockInvocationMetrics,
} from '@aicost/core';
import type { RequestParams } from './types.js';

type Body = Record<string, unknown>;

const utf8 = new TextDecoder();

/** A request or response body (string, `Uint8Array`, `Buffer`) parsed as JSON; `undefined` when it is not JSON. */
export function parseJSONBytes(body: unknown): Body | undefined {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = utf8.decode(body);
  else return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------

/** The GenAI operation and request parameters of an InvokeModel body. */
export function invokeRequestParams(
  modelId: string,
  body: Body | undefined,
): RequestParams & { operation: string } {
  const family = bedrockModelFamily(modelId);
  const operation = invokeOperation(modelId, body);
  if (!body) return { operation };
  // Nova nests its parameters in `inferenceConfig`, Titan in `textGenerationConfig`.
  const nova = isRecord(body.inferenceConfig) ? body.inferenceConfig : {};
  const titan = isRecord(body.textGenerationConfig) ? body.textGenerationConfig : {};
  const cohere = family === 'cohere';
  return {
    operation,
    maxTokens:
      body.max_tokens ??
      body.max_gen_len ??
      body.max_completion_tokens ??
      nova.max_new_tokens ??
      nova.maxTokens ??
      titan.maxTokenCount,
    temperature: body.temperature ?? nova.temperature ?? titan.temperature,
    topP: body.top_p ?? (cohere ? body.p : undefined) ?? nova.top_p ?? nova.topP ?? titan.topP,
    topK: body.top_k ?? (cohere ? body.k : undefined) ?? nova.top_k ?? nova.topK,
    stopSequences: body.stop_sequences ?? body.stop ?? nova.stopSequences ?? titan.stopSequences,
  };
}

/**
 * Embedding models embed; a body with `messages` (or Cohere's `message`) is a
 * chat; a bare `prompt` / `inputText` is a text completion.
 */
function invokeOperation(modelId: string, body: Body | undefined): string {
  if (/(?:^|[./])[\w-]*embed/i.test(modelId)) return GEN_AI_OPERATION.EMBEDDINGS;
  if (body && body.messages === undefined && body.message === undefined) {
    if (typeof body.prompt === 'string' || typeof body.inputText === 'string') {
      return GEN_AI_OPERATION.TEXT_COMPLETION;
    }
  }
  return GEN_AI_OPERATION.CHAT;
}

// ---------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------

/** What an InvokeModel response body says about itself, in any family's format. */
export interface InvokeResponseDetails {
  responseId?: string;
  finishReasons: string[];
  /** Generated text, in order (read only when content is captured). */
  texts: string[];
}

export function invokeResponseDetails(modelId: string, body: Body): InvokeResponseDetails {
  const family = bedrockModelFamily(modelId);
  const details: InvokeResponseDetails = { finishReasons: [], texts: [] };
  const id = body.id ?? body.response_id;
  if (typeof id === 'string') details.responseId = id;
  readFields(family, body, details);
  return details;
}

/** Finish reasons and text of one body or streamed chunk, appended to `into`. */
function readFields(family: BedrockModelFamily, body: Body, into: InvokeResponseDetails): void {
  const reason = (value: unknown) => {
    if (typeof value === 'string' && value) into.finishReasons.push(value);
  };
  const text = (value: unknown) => {
    if (typeof value === 'string' && value) into.texts.push(value);
  };
  switch (family) {
    case 'anthropic':
      reason(body.stop_reason);
      for (const block of arrayOf(body.content)) text(block.text);
      return;
    case 'meta':
      reason(body.stop_reason);
      text(body.generation);
      return;
    case 'amazon-nova': {
      reason(body.stopReason);
      const message = isRecord(body.output) && isRecord(body.output.message) ? body.output.message : {};
      for (const block of arrayOf(message.content)) text(block.text);
      return;
    }
    case 'amazon-titan':
      for (const result of arrayOf(body.results)) {
        reason(result.completionReason);
        text(result.outputText);
      }
      return;
    case 'cohere':
      reason(body.finish_reason);
      text(body.text);
      for (const generation of arrayOf(body.generations)) {
        reason(generation.finish_reason);
        text(generation.text);
      }
      return;
    default:
      // Mistral's text format, and the OpenAI chat format of Mistral's chat models and the others.
      for (const output of arrayOf(body.outputs)) {
        reason(output.stop_reason);
        text(output.text);
      }
      for (const choice of arrayOf(body.choices)) {
        reason(choice.finish_reason ?? choice.stop_reason);
        text(isRecord(choice.message) ? choice.message.content : choice.text);
      }
  }
}

// ---------------------------------------------------------------------------
// InvokeModelWithResponseStream
// ---------------------------------------------------------------------------

/**
 * The response an InvokeModelWithResponseStream builds, chunk by chunk. Every
 * chunk's bytes are one event in the model family's own streaming format;
 * Bedrock adds `amazon-bedrock-invocationMetrics` (the billed token counts) to
 * the last one. Anthropic models also report usage in their own events, which
 * stand in when the metrics are missing.
 */
export class StreamedInvocation {
  private readonly family: BedrockModelFamily;
  private readonly details: InvokeResponseDetails = { finishReasons: [], texts: [] };
  private metrics: unknown;
  private anthropicUsage: Body | undefined;

  constructor(
    modelId: string,
    private readonly keepText: boolean,
  ) {
    this.family = bedrockModelFamily(modelId);
  }

  /** Adds one chunk's decoded bytes; returns true when it was a model event. */
  add(chunk: Body | undefined): boolean {
    if (!chunk) return false;
    const metrics = chunk['amazon-bedrock-invocationMetrics'];
    if (metrics !== undefined) this.metrics = metrics;
    if (this.family === 'anthropic') this.addAnthropicEvent(chunk);
    else this.addOtherChunk(chunk);
    return true;
  }

  get responseId(): string | undefined {
    return this.details.responseId;
  }

  get finishReasons(): string[] {
    return this.details.finishReasons;
  }

  get text(): string {
    return this.details.texts.join('');
  }

  usage(): LedgerResult {
    return (
      usageFromBedrockInvocationMetrics(this.metrics) ??
      (this.anthropicUsage ? usageFromAnthropic(this.anthropicUsage) : undefined)
    );
  }

  private addAnthropicEvent(event: Body): void {
    switch (event.type) {
      case 'message_start': {
        const message = isRecord(event.message) ? event.message : {};
        if (typeof message.id === 'string') this.details.responseId = message.id;
        if (isRecord(message.usage)) this.anthropicUsage = { ...message.usage };
        return;
      }
      case 'content_block_delta': {
        const delta = isRecord(event.delta) ? event.delta : {};
        if (this.keepText && typeof delta.text === 'string') this.details.texts.push(delta.text);
        return;
      }
      case 'message_delta': {
        const delta = isRecord(event.delta) ? event.delta : {};
        if (typeof delta.stop_reason === 'string') this.details.finishReasons.push(delta.stop_reason);
        // The final counts replace the ones message_start gave.
        if (isRecord(event.usage)) {
          const known = Object.entries(event.usage).filter(
            ([, value]) => value !== null && value !== undefined,
          );
          this.anthropicUsage = { ...this.anthropicUsage, ...Object.fromEntries(known) };
        }
        return;
      }
    }
  }

  private addOtherChunk(chunk: Body): void {
    if (this.family === 'amazon-nova') {
      // Nova streams Converse-shaped events.
      const delta = isRecord(chunk.contentBlockDelta) ? chunk.contentBlockDelta.delta : undefined;
      if (this.keepText && isRecord(delta) && typeof delta.text === 'string')
        this.details.texts.push(delta.text);
      if (isRecord(chunk.messageStop) && typeof chunk.messageStop.stopReason === 'string') {
        this.details.finishReasons.push(chunk.messageStop.stopReason);
      }
      return;
    }
    const read: InvokeResponseDetails = { finishReasons: [], texts: [] };
    readFields(this.family, chunk, read);
    if (typeof chunk.id === 'string' && !this.details.responseId) this.details.responseId = chunk.id;
    this.details.finishReasons.push(...read.finishReasons);
    if (this.keepText) this.details.texts.push(...read.texts);
  }
}

// ---------------------------------------------------------------------------
// Content (opt-in)
// ---------------------------------------------------------------------------

type Part = Record<string, unknown>;

/** The request's messages in the semconv shape, from `messages`, `message` or `prompt` / `inputText`. */
export function invokeInputMessages(body: Body | undefined): unknown[] | undefined {
  if (!body) return undefined;
  if (Array.isArray(body.messages)) {
    return body.messages.filter(isRecord).map((message) => ({
      role: typeof message.role === 'string' ? message.role : 'user',
      parts: partsOf(message.content),
    }));
  }
  const prompt = body.message ?? body.prompt ?? body.inputText;
  if (typeof prompt === 'string') return [{ role: 'user', parts: [{ type: 'text', content: prompt }] }];
  if (Array.isArray(body.texts)) {
    return [{ role: 'user', parts: body.texts.filter((t) => typeof t === 'string').map(textPart) }];
  }
  return undefined;
}

/** Anthropic's `system` (string or blocks) and Nova's `system` (`[{ text }]`). */
export function invokeSystemInstructions(body: Body | undefined): unknown[] | undefined {
  const system = body?.system;
  if (typeof system === 'string') return [textPart(system)];
  if (Array.isArray(system)) return partsOf(system);
  return undefined;
}

export function invokeOutputMessages(texts: string[], finishReasons: string[]): unknown[] {
  const message: Record<string, unknown> = {
    role: 'assistant',
    parts: texts.length > 0 ? [textPart(texts.join(''))] : [],
  };
  if (finishReasons[0]) message.finish_reason = finishReasons[0];
  return [message];
}

function partsOf(content: unknown): Part[] {
  if (typeof content === 'string') return [textPart(content)];
  return arrayOf(content).map((block) =>
    typeof block.text === 'string'
      ? textPart(block.text)
      : { type: typeof block.type === 'string' ? block.type : 'unknown' },
  );
}

function textPart(content: string): Part {
  return { type: 'text', content };
}

function arrayOf(value: unknown): Body[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
