import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  GEN_AI_PROVIDER,
  type GenAIResponseInfo,
  type LedgerResult,
  readRequestAttributes,
  usageFromGemini,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { GENERATION_REQUEST_ATTRIBUTES } from './semconv.js';
import type {
  GeminiCandidate,
  GeminiContent,
  GeminiEmbedContentResponse,
  GeminiGenerateContentResponse,
  GeminiPart,
  GenAIApiClient,
  GenAIGenerateContentConfig,
} from './types.js';

/**
 * The bare model id of a model reference, as the price catalogue and the
 * semconv know it. Both SDKs accept `gemini-2.5-flash`, `models/gemini-2.5-flash`
 * and, on Vertex AI, `publishers/google/models/...` or a full
 * `projects/p/locations/l/publishers/google/models/...` resource name; tuned
 * models (`tunedModels/123`) and other publishers' models (`meta/llama-...`) are
 * kept as given.
 */
export function modelId(model: unknown): string | undefined {
  if (typeof model !== 'string' || model === '') return undefined;
  const marker = model.lastIndexOf('models/');
  if (marker === -1) return model;
  if (marker > 0 && model.slice(0, marker).endsWith('tuned')) return model;
  return model.slice(marker + 'models/'.length) || model;
}

/** `gen_ai.provider.name` of a `@google/genai` client: Vertex AI or the Gemini Developer API. */
export function providerOf(apiClient: GenAIApiClient | undefined): string {
  return apiClient?.isVertexAI?.() === true ? GEN_AI_PROVIDER.GCP_VERTEX_AI : GEN_AI_PROVIDER.GCP_GEMINI;
}

/** The request attributes the semconv defines, from a generation config (`config` or `generationConfig`). */
export function generationRequestAttributes(config: GenAIGenerateContentConfig | undefined): Attributes {
  if (!config || typeof config !== 'object') return {};
  const attributes = readRequestAttributes(config, GENERATION_REQUEST_ATTRIBUTES, { stop: 'stopSequences' });
  const outputType = outputTypeOf(config.responseMimeType);
  if (outputType) attributes[ATTR_GEN_AI_OUTPUT_TYPE] = outputType;
  return attributes;
}

function _setNumber(attributes: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) attributes[key] = value;
}

function outputTypeOf(mimeType: unknown): string | undefined {
  if (typeof mimeType !== 'string') return undefined;
  if (mimeType === 'application/json' || mimeType.endsWith('+json')) return 'json';
  if (mimeType.startsWith('text/')) return 'text';
  return undefined;
}

/** Model, id and finish reasons of a response (or of the last chunk of a stream). */
export function responseInfo(response: GeminiGenerateContentResponse | undefined): GenAIResponseInfo {
  const info: GenAIResponseInfo = {};
  if (!response || typeof response !== 'object') return info;
  if (typeof response.modelVersion === 'string' && response.modelVersion) {
    info.responseModel = modelId(response.modelVersion);
  }
  if (typeof response.responseId === 'string' && response.responseId) info.responseId = response.responseId;
  const reasons = finishReasons(response.candidates);
  if (reasons.length > 0) info.finishReasons = reasons;
  // Vertex AI says which quota served the call; provisioned throughput is committed capacity.
  const trafficType = response.usageMetadata?.trafficType;
  if (typeof trafficType === 'string' && trafficType && trafficType !== 'TRAFFIC_TYPE_UNSPECIFIED') {
    info.serviceTier = trafficType;
  }
  return info;
}

/** Google's finish reasons (`STOP`, `MAX_TOKENS`, `SAFETY`, ...) in lower case, one per candidate that has one. */
export function finishReasons(candidates: GeminiCandidate[] | undefined): string[] {
  if (!Array.isArray(candidates)) return [];
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const reason = candidate?.finishReason;
    if (typeof reason === 'string' && reason && reason !== 'FINISH_REASON_UNSPECIFIED') {
      reasons.push(reason.toLowerCase());
    }
  }
  return reasons;
}

/**
 * The token ledger of a generateContent response; `undefined` when it carries
 * no usage, an invalid-usage marker when the counts do not add up.
 */
export function generateContentUsage(response: GeminiGenerateContentResponse | undefined): LedgerResult {
  const usage = response?.usageMetadata;
  if (!usage || typeof usage !== 'object') return undefined;
  return usageFromGemini(usage);
}

/**
 * The token ledger of an embeddings response: `usageMetadata` when the API
 * sends it, else the per-embedding token counts Vertex AI reports
 * (`statistics.tokenCount`); `undefined` when neither is there.
 */
export function embeddingUsage(response: GeminiEmbedContentResponse | undefined): LedgerResult {
  if (!response || typeof response !== 'object') return undefined;
  if (response.usageMetadata && typeof response.usageMetadata.promptTokenCount === 'number') {
    return usageFromGemini(response.usageMetadata);
  }
  if (!Array.isArray(response.embeddings)) return undefined;
  let tokens = 0;
  let counted = false;
  for (const embedding of response.embeddings) {
    const count = embedding?.statistics?.tokenCount;
    if (typeof count === 'number') {
      tokens += count;
      counted = true;
    }
  }
  return counted ? usageFromGemini({ promptTokenCount: tokens }) : undefined;
}

/**
 * Follows a stream's chunks: the first chunk's arrival, the last response
 * model / id / finish reasons and usage seen (Gemini repeats cumulative
 * `usageMetadata` on every chunk; the last one is complete), and the streamed
 * candidates' content when content capture is on.
 */
export class StreamAccumulator {
  private last: GeminiGenerateContentResponse = {};
  private usage: GeminiGenerateContentResponse['usageMetadata'];
  private readonly candidates = new Map<number, { parts: GeminiPart[]; finishReason?: string }>();

  constructor(private readonly keepContent: boolean) {}

  add(chunk: GeminiGenerateContentResponse): void {
    if (!chunk || typeof chunk !== 'object') return;
    if (chunk.modelVersion) this.last.modelVersion = chunk.modelVersion;
    if (chunk.responseId) this.last.responseId = chunk.responseId;
    if (chunk.usageMetadata) this.usage = chunk.usageMetadata;
    if (!Array.isArray(chunk.candidates)) return;
    chunk.candidates.forEach((candidate, position) => {
      const index = typeof candidate?.index === 'number' ? candidate.index : position;
      const entry = this.candidates.get(index) ?? { parts: [] };
      if (candidate?.finishReason) entry.finishReason = candidate.finishReason;
      const parts = candidate?.content?.parts;
      if (this.keepContent && Array.isArray(parts)) entry.parts.push(...parts);
      this.candidates.set(index, entry);
    });
  }

  /** What was streamed, shaped as one non-streamed response. */
  response(): GeminiGenerateContentResponse {
    const candidates: GeminiCandidate[] = [...this.candidates.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, entry]) => ({
        index,
        finishReason: entry.finishReason,
        content: { role: 'model', parts: mergeTextParts(entry.parts) },
      }));
    return { ...this.last, usageMetadata: this.usage, candidates };
  }
}

/** Joins consecutive streamed text fragments (of the same kind: answer or thought) into one part. */
function mergeTextParts(parts: GeminiPart[]): GeminiPart[] {
  const merged: GeminiPart[] = [];
  for (const part of parts) {
    const previous = merged[merged.length - 1];
    if (
      previous &&
      typeof previous.text === 'string' &&
      typeof part.text === 'string' &&
      Boolean(previous.thought) === Boolean(part.thought) &&
      Object.keys(part).every((key) => key === 'text' || key === 'thought')
    ) {
      merged[merged.length - 1] = { ...previous, text: previous.text + part.text };
    } else {
      merged.push({ ...part });
    }
  }
  return merged;
}

// ---------------------------------------------------------------------------
// Opt-in content capture, in the semconv GenAI message JSON shape
// ---------------------------------------------------------------------------

type SemconvPart = Record<string, unknown> & { type: string };

interface SemconvMessage {
  role: string;
  parts: SemconvPart[];
  finish_reason?: string;
}

/**
 * The request's `contents` as semconv input messages. Accepts what the SDKs
 * accept: a string, a part, a Content, or an array of them (strings and parts
 * make up one user turn; Contents are turns of their own).
 */
export function inputMessages(contents: unknown): SemconvMessage[] {
  if (contents === undefined || contents === null) return [];
  const items = Array.isArray(contents) ? contents : [contents];
  const messages: SemconvMessage[] = [];
  let looseParts: SemconvPart[] = [];
  const flushLoose = () => {
    if (looseParts.length > 0) messages.push({ role: 'user', parts: looseParts });
    looseParts = [];
  };
  for (const item of items) {
    if (isContent(item)) {
      flushLoose();
      messages.push({ role: semconvRole(item.role), parts: (item.parts ?? []).map(semconvPart) });
    } else if (typeof item === 'string') {
      looseParts.push({ type: 'text', content: item });
    } else if (item && typeof item === 'object') {
      looseParts.push(semconvPart(item as GeminiPart));
    }
  }
  flushLoose();
  return messages;
}

/** A system instruction (string, part, Content or parts) as semconv system instruction parts. */
export function systemInstructionParts(instruction: unknown): SemconvPart[] | undefined {
  if (instruction === undefined || instruction === null) return undefined;
  if (typeof instruction === 'string') return [{ type: 'text', content: instruction }];
  if (isContent(instruction)) return (instruction.parts ?? []).map(semconvPart);
  if (Array.isArray(instruction)) {
    return instruction.map((part) =>
      typeof part === 'string' ? { type: 'text', content: part } : semconvPart(part as GeminiPart),
    );
  }
  if (typeof instruction === 'object') return [semconvPart(instruction as GeminiPart)];
  return undefined;
}

/** The response's candidates as semconv output messages. */
export function outputMessages(response: GeminiGenerateContentResponse | undefined): SemconvMessage[] {
  if (!response || !Array.isArray(response.candidates)) return [];
  return response.candidates.map((candidate) => {
    const message: SemconvMessage = {
      role: 'assistant',
      parts: (candidate?.content?.parts ?? []).map(semconvPart),
    };
    const reason = semconvFinishReason(candidate?.finishReason, message.parts);
    if (reason) message.finish_reason = reason;
    return message;
  });
}

/** A Content has `parts`; a Part never does. */
function isContent(value: unknown): value is GeminiContent {
  return !!value && typeof value === 'object' && Array.isArray((value as GeminiContent).parts);
}

function semconvRole(role: string | undefined): string {
  if (role === 'model') return 'assistant';
  return role || 'user';
}

/**
 * One part in semconv shape. Binary payloads (inline data) are not copied:
 * only their MIME type is recorded, so spans stay small.
 */
function semconvPart(part: GeminiPart): SemconvPart {
  if (!part || typeof part !== 'object') return { type: 'text', content: String(part) };
  if (typeof part.text === 'string') return { type: part.thought ? 'reasoning' : 'text', content: part.text };
  if (part.functionCall) {
    return {
      type: 'tool_call',
      ...(part.functionCall.id ? { id: part.functionCall.id } : {}),
      name: part.functionCall.name,
      arguments: part.functionCall.args,
    };
  }
  if (part.functionResponse) {
    return {
      type: 'tool_call_response',
      ...(part.functionResponse.id ? { id: part.functionResponse.id } : {}),
      response: part.functionResponse.response,
    };
  }
  if (part.fileData) return { type: 'uri', mime_type: part.fileData.mimeType, uri: part.fileData.fileUri };
  if (part.inlineData) return { type: 'blob', mime_type: part.inlineData.mimeType };
  const kind = Object.keys(part).find((key) => part[key] !== undefined);
  return { type: kind ?? 'unknown' };
}

function semconvFinishReason(reason: string | undefined, parts: SemconvPart[]): string | undefined {
  if (!reason) return undefined;
  switch (reason) {
    case 'STOP':
      return parts.some((part) => part.type === 'tool_call') ? 'tool_call' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
      return 'error';
    default:
      return reason.toLowerCase();
  }
}
