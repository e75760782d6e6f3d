import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_AICOST_USAGE_AUDIO_INPUT_TOKENS,
  ATTR_AICOST_USAGE_AUDIO_OUTPUT_TOKENS,
  ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS,
  ATTR_AICOST_USAGE_IMAGE_INPUT_TOKENS,
  ATTR_AICOST_USAGE_IMAGE_OUTPUT_TOKENS,
  ATTR_AICOST_USAGE_REQUESTS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../semconv.js';
import type { InvalidUsage, LedgerResult, TokenUsage } from '../types.js';
import { CountReader, isInvalidUsage, type UsageParts } from './usage.js';

/** Ledger field to attribute name; the semconv names carry the same (cache-inclusive) meaning. */
const LEDGER_ATTRIBUTES: readonly [keyof TokenUsage & keyof UsageParts, string][] = [
  ['inputTokens', ATTR_GEN_AI_USAGE_INPUT_TOKENS],
  ['outputTokens', ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
  ['cacheReadTokens', ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  ['cacheWriteTokens', ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS],
  ['reasoningTokens', ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
  ['cacheWrite5mTokens', ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS],
  ['cacheWrite1hTokens', ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS],
  ['inputAudioTokens', ATTR_AICOST_USAGE_AUDIO_INPUT_TOKENS],
  ['outputAudioTokens', ATTR_AICOST_USAGE_AUDIO_OUTPUT_TOKENS],
  ['inputImageTokens', ATTR_AICOST_USAGE_IMAGE_INPUT_TOKENS],
  ['outputImageTokens', ATTR_AICOST_USAGE_IMAGE_OUTPUT_TOKENS],
  ['requests', ATTR_AICOST_USAGE_REQUESTS],
];

/** Written even when zero: a zero count is information. The others are written only when non-zero. */
const ALWAYS_WRITTEN = new Set<string>([ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]);

/**
 * The ledger as span attributes: `gen_ai.usage.input_tokens` and `output_tokens` always;
 * cache, reasoning, audio, image and TTL counts only when non-zero; `aicost.usage.requests`
 * only when it is not 1. Missing or invalid usage writes nothing.
 */
export function usageToAttributes(usage: TokenUsage | InvalidUsage | undefined): Attributes {
  return writeUsageAttributes({}, usage);
}

/** {@link usageToAttributes}, written into `target` (one attribute map per span on the hot path); returns `target`. */
export function writeUsageAttributes(
  target: Attributes,
  usage: TokenUsage | InvalidUsage | undefined,
): Attributes {
  if (!usage || isInvalidUsage(usage)) return target;
  for (const [field, name] of LEDGER_ATTRIBUTES) {
    const value = usage[field];
    if (value === undefined) continue;
    if (name === ATTR_AICOST_USAGE_REQUESTS ? value === 1 : value === 0 && !ALWAYS_WRITTEN.has(name))
      continue;
    target[name] = value;
  }
  return target;
}

/**
 * Reads back what {@link usageToAttributes} wrote (attribute values may be numbers or
 * digit strings, as after a trip through a backend). `undefined` when neither input
 * nor output tokens are present.
 */
export function usageFromAttributes(attributes: Attributes | Record<string, unknown>): LedgerResult {
  if (
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] === undefined &&
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] === undefined
  ) {
    return undefined;
  }
  const reader = new CountReader();
  const parts: UsageParts = {};
  for (const [field, name] of LEDGER_ATTRIBUTES) {
    const value = reader.count(attributes[name], name);
    if (value !== undefined) parts[field] = value;
  }
  return reader.finish(parts);
}
