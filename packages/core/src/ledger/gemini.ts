import type { LedgerResult } from '../types.js';
import { CountReader, isRecord, pick } from './usage.js';

/**
 * Gemini / Vertex AI `usageMetadata` (`@google/genai` camelCase, or the REST snake_case).
 *
 * - `promptTokenCount` INCLUDES `cachedContentTokenCount`;
 * - `toolUsePromptTokenCount` (tool results fed back to the model) is NOT in
 *   `promptTokenCount` and is billed as input: it is added;
 * - `thoughtsTokenCount` is billed as output but NOT included in
 *   `candidatesTokenCount`: it is added to output (and is the reasoning count);
 * - per-modality counts (`promptTokensDetails`, `candidatesTokensDetails`) give the
 *   audio and image parts.
 */
export function usageFromGemini(usageMetadata: unknown): LedgerResult {
  if (!isRecord(usageMetadata)) return undefined;
  const reader = new CountReader();
  const count = (camel: string, snake: string) =>
    reader.count(pick(usageMetadata, camel, snake), `usageMetadata.${camel}`);
  const prompt = count('promptTokenCount', 'prompt_token_count') ?? 0;
  const toolUsePrompt = count('toolUsePromptTokenCount', 'tool_use_prompt_token_count') ?? 0;
  const candidates = count('candidatesTokenCount', 'candidates_token_count') ?? 0;
  const thoughts = count('thoughtsTokenCount', 'thoughts_token_count') ?? 0;
  const cached = count('cachedContentTokenCount', 'cached_content_token_count') ?? 0;

  const promptModalities = modalityCounts(reader, [
    pick(usageMetadata, 'promptTokensDetails', 'prompt_tokens_details'),
    pick(usageMetadata, 'toolUsePromptTokensDetails', 'tool_use_prompt_tokens_details'),
  ]);
  const outputModalities = modalityCounts(reader, [
    pick(usageMetadata, 'candidatesTokensDetails', 'candidates_tokens_details'),
  ]);

  return reader.finish({
    inputTokens: prompt + toolUsePrompt,
    outputTokens: candidates + thoughts,
    cacheReadTokens: cached,
    reasoningTokens: thoughts,
    inputAudioTokens: promptModalities.AUDIO,
    inputImageTokens: promptModalities.IMAGE,
    outputAudioTokens: outputModalities.AUDIO,
    outputImageTokens: outputModalities.IMAGE,
  });
}

/** Sums `[{ modality: 'AUDIO', tokenCount: 12 }, ...]` lists by modality. */
function modalityCounts(reader: CountReader, lists: unknown[]): Partial<Record<string, number>> {
  const totals: Partial<Record<string, number>> = {};
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const modality = pick(entry, 'modality');
      if (typeof modality !== 'string') continue;
      const tokens = reader.count(
        pick(entry, 'tokenCount', 'token_count'),
        `usageMetadata.${modality}.tokenCount`,
      );
      if (tokens !== undefined) totals[modality] = (totals[modality] ?? 0) + tokens;
    }
  }
  return totals;
}
