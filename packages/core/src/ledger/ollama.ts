import type { LedgerResult } from '../types.js';
import { CountReader, isRecord } from './usage.js';

/**
 * Ollama's native API (`/api/chat`, `/api/generate` and the last, `done: true`, object of their
 * streams; `/api/embed`): `prompt_eval_count` input tokens, `eval_count` output tokens, beside
 * the response's own fields rather than in a `usage` object.
 *
 * Ollama writes both with Go's `omitempty`: a count of 0 is left out (a prompt served wholly
 * from its KV cache has no `prompt_eval_count`). So one present count means the other is 0;
 * neither present means the object reports no usage (a stream chunk before the last).
 */
export function usageFromOllama(response: unknown): LedgerResult {
  if (!isRecord(response)) return undefined;
  const reader = new CountReader();
  const input = reader.first(response, ['prompt_eval_count'], '');
  const output = reader.first(response, ['eval_count'], '');
  if (input === undefined && output === undefined) return reader.invalid;
  return reader.finish({ inputTokens: input ?? 0, outputTokens: output ?? 0 });
}
