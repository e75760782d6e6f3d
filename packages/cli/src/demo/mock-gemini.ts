/**
 * Gemini API wire format for the demo: `POST /v1beta/models/{model}:generateContent`
 * and `:streamGenerateContent?alt=sse` (each SSE chunk a GenerateContentResponse;
 * the last one carries the final usage and finish reason).
 *
 * Implicit caching of Gemini 2.5: a system instruction of 1,024 tokens or more
 * is reported as cached (`cachedContentTokenCount`, included in
 * `promptTokenCount`). 2.5 models think unless `thinkingBudget` is 0; thoughts
 * are billed as output and reported apart (`thoughtsTokenCount`).
 */
import { errorReply, jsonReply, type MockReply, type SseEvent } from './reply.js';
import { countTokens, deltas, outputTokens, replyText, seedOf, textsOf } from './text.js';

interface GenerateRequest {
  contents?: unknown;
  systemInstruction?: unknown;
  generationConfig?: { maxOutputTokens?: number; thinkingConfig?: { thinkingBudget?: number } };
}

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  promptTokensDetails: { modality: 'TEXT'; tokenCount: number }[];
  cacheTokensDetails?: { modality: 'TEXT'; tokenCount: number }[];
}

export function geminiUsage(model: string, request: GenerateRequest): { usage: GeminiUsage; seed: number } {
  const contents = textsOf(request.contents).join('\n');
  const system = textsOf(request.systemInstruction).join('\n');
  const systemTokens = countTokens(system);
  const prompt = countTokens(contents) + systemTokens;
  const cached = systemTokens >= 1024 ? Math.floor(systemTokens / 256) * 256 : 0;
  const seed = seedOf(contents);
  const candidates = outputTokens(seed, request.generationConfig?.maxOutputTokens);
  const thinks = model.includes('2.5') && request.generationConfig?.thinkingConfig?.thinkingBudget !== 0;
  const thoughts = thinks ? Math.round(candidates * 0.3) : 0;
  const usage: GeminiUsage = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
  if (cached) {
    usage.cachedContentTokenCount = cached;
    usage.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: cached }];
  }
  if (thoughts) usage.thoughtsTokenCount = thoughts;
  return { usage, seed };
}

/** `model` is the path segment before `:`, `method` the one after it. */
export function geminiGenerate(model: string, method: string, body: unknown): MockReply {
  const request = (body ?? {}) as GenerateRequest;
  if (!request.contents) {
    return errorReply(400, {
      error: {
        code: 400,
        message: '* GenerateContentRequest.contents: contents is not specified',
        status: 'INVALID_ARGUMENT',
      },
    });
  }
  const { usage, seed } = geminiUsage(model, request);
  const text = replyText(seed, usage.candidatesTokenCount);
  const responseId = `demo${seed.toString(36)}`;
  const response = (parts: string, final: boolean) => ({
    candidates: [
      {
        content: { parts: [{ text: parts }], role: 'model' },
        ...(final ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    usageMetadata: final
      ? usage
      : {
          promptTokenCount: usage.promptTokenCount,
          totalTokenCount: usage.promptTokenCount,
          promptTokensDetails: usage.promptTokensDetails,
        },
    modelVersion: model,
    responseId,
  });
  if (method === 'generateContent') return jsonReply(response(text, true));
  if (method !== 'streamGenerateContent') {
    return errorReply(404, {
      error: { code: 404, message: `method ${method} is not mocked`, status: 'NOT_FOUND' },
    });
  }
  // Gemini streams larger pieces than OpenAI or Anthropic: a few sentences per chunk.
  const pieces = deltas(text, 24);
  const events: SseEvent[] = pieces.map((piece, i) => ({
    data: JSON.stringify(response(piece, i === pieces.length - 1)),
  }));
  return { kind: 'sse', events };
}
