import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_AICOST_USAGE_SOURCE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../semconv.js';
import type { LedgerResult } from '../types.js';
import { usageFromAttributes } from './attributes.js';
import { CountReader } from './usage.js';

/** Values of `aicost.usage.source`: which instrumentation's attributes the usage was read from. */
export const USAGE_SOURCE = {
  AICOST: 'aicost',
  OPENTELEMETRY: 'opentelemetry',
  OPENLLMETRY: 'openllmetry',
  OPENINFERENCE: 'openinference',
  VERCEL_AI: 'vercel-ai',
  SDK: 'sdk',
} as const;
export type UsageSource = (typeof USAGE_SOURCE)[keyof typeof USAGE_SOURCE];

/**
 * Attribute names of other instrumentations, as found in their published source:
 * `@opentelemetry/instrumentation-openai` and `@opentelemetry/semantic-conventions`
 * (`gen_ai.usage.*`), `@traceloop/ai-semantic-conventions` (OpenLLMetry),
 * `@arizeai/openinference-semantic-conventions` (`llm.token_count.*`) and the
 * Vercel AI SDK's legacy telemetry (`ai.usage.*`).
 */
export const FOREIGN_USAGE_ATTRIBUTES = {
  semconv: {
    input: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    output: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    cacheRead: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    cacheWrite: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    reasoning: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    /** Deprecated semconv names, still emitted by older instrumentations (and OpenLLMetry). */
    promptDeprecated: 'gen_ai.usage.prompt_tokens',
    completionDeprecated: 'gen_ai.usage.completion_tokens',
  },
  /**
   * `@anthropic-ai/sdk` (0.134+, all of 1.x) on its own `anthropic.messages.create` span: cache
   * reads under the semconv name, cache writes as `cache_write` (the semconv says `cache_creation`),
   * the split by cache TTL under its own names. Its `gen_ai.usage.input_tokens` is the sum of
   * Anthropic's `input_tokens` and both cache counts, as the semconv's is.
   */
  anthropicSdk: {
    cacheWrite: 'gen_ai.usage.cache_write.input_tokens',
    cacheWrite5m: 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens',
    cacheWrite1h: 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens',
  },
  openllmetry: {
    cacheRead: 'gen_ai.usage.cache_read_input_tokens',
    cacheWrite: 'gen_ai.usage.cache_creation_input_tokens',
    reasoning: 'gen_ai.usage.reasoning_tokens',
    total: 'gen_ai.usage.total_tokens',
    totalLegacy: 'llm.usage.total_tokens',
  },
  openinference: {
    prompt: 'llm.token_count.prompt',
    completion: 'llm.token_count.completion',
    total: 'llm.token_count.total',
    cacheRead: 'llm.token_count.prompt_details.cache_read',
    cacheWrite: 'llm.token_count.prompt_details.cache_write',
    inputAudio: 'llm.token_count.prompt_details.audio',
    reasoning: 'llm.token_count.completion_details.reasoning',
    outputAudio: 'llm.token_count.completion_details.audio',
  },
  vercelAI: {
    /** AI SDK 4 and earlier. */
    promptTokens: 'ai.usage.promptTokens',
    completionTokens: 'ai.usage.completionTokens',
    /** AI SDK 5 and later. */
    inputTokens: 'ai.usage.inputTokens',
    outputTokens: 'ai.usage.outputTokens',
    totalTokens: 'ai.usage.totalTokens',
    cachedInputTokens: 'ai.usage.cachedInputTokens',
    reasoningTokens: 'ai.usage.reasoningTokens',
    /** AI SDK 6 and later: input is the cache-inclusive total, split by these details. */
    noCacheTokens: 'ai.usage.inputTokenDetails.noCacheTokens',
    cacheReadTokens: 'ai.usage.inputTokenDetails.cacheReadTokens',
    cacheWriteTokens: 'ai.usage.inputTokenDetails.cacheWriteTokens',
    outputReasoningTokens: 'ai.usage.outputTokenDetails.reasoningTokens',
  },
} as const;

export interface ForeignUsage {
  source: UsageSource;
  usage: LedgerResult;
}

type AttributeMap = Attributes | Record<string, unknown>;

/**
 * Finds token usage on a span written by any known instrumentation and settles it
 * into the ledger. `undefined` when the span carries no usage at all.
 *
 * Where an instrumentation's input count may or may not include the cache tokens
 * (the semconv says it does, older Anthropic instrumentations did not), cache
 * tokens larger than the input count prove the input was cache-exclusive, and
 * they are added. A cache-exclusive input that happens to be larger than its
 * cache tokens cannot be told apart and is read as inclusive.
 */
export function readForeignUsage(attributes: AttributeMap): ForeignUsage | undefined {
  const own = attributes[ATTR_AICOST_USAGE_SOURCE];
  if (own === USAGE_SOURCE.AICOST) {
    const usage = usageFromAttributes(attributes);
    return usage ? { source: USAGE_SOURCE.AICOST, usage } : undefined;
  }
  return readOpenInference(attributes) ?? readVercelAI(attributes) ?? readGenAIUsage(attributes);
}

/** OpenInference `llm.token_count.*` (Arize Phoenix instrumentations). */
export function readOpenInference(attributes: AttributeMap): ForeignUsage | undefined {
  const names = FOREIGN_USAGE_ATTRIBUTES.openinference;
  if (attributes[names.prompt] === undefined && attributes[names.completion] === undefined) return undefined;
  const reader = new CountReader();
  const read = (name: string) => reader.count(attributes[name], name);
  const cacheRead = read(names.cacheRead) ?? 0;
  const cacheWrite = read(names.cacheWrite) ?? 0;
  const usage = reader.finish({
    inputTokens: cacheInclusiveInput(read(names.prompt) ?? 0, cacheRead, cacheWrite),
    outputTokens: read(names.completion) ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: read(names.reasoning) ?? 0,
    inputAudioTokens: read(names.inputAudio),
    outputAudioTokens: read(names.outputAudio),
  });
  return { source: USAGE_SOURCE.OPENINFERENCE, usage };
}

/**
 * Vercel AI SDK legacy telemetry (`ai.usage.*`). From AI SDK 6 `ai.usage.inputTokens` is the
 * cache-inclusive total with `ai.usage.inputTokenDetails.*`; before, its meaning followed the
 * provider (cache-exclusive for Anthropic), which the cache rule of {@link readForeignUsage}
 * settles. When `totalTokens` shows reasoning outside the output count (Google in AI SDK 5),
 * it is added to the output.
 */
export function readVercelAI(attributes: AttributeMap): ForeignUsage | undefined {
  const names = FOREIGN_USAGE_ATTRIBUTES.vercelAI;
  const hasNew = attributes[names.inputTokens] !== undefined || attributes[names.outputTokens] !== undefined;
  const hasOld =
    attributes[names.promptTokens] !== undefined || attributes[names.completionTokens] !== undefined;
  if (!hasNew && !hasOld) return undefined;
  const reader = new CountReader();
  const read = (name: string) => reader.count(attributes[name], name);
  const input = (hasNew ? read(names.inputTokens) : read(names.promptTokens)) ?? 0;
  let output = (hasNew ? read(names.outputTokens) : read(names.completionTokens)) ?? 0;
  const hasDetails =
    attributes[names.cacheReadTokens] !== undefined ||
    attributes[names.cacheWriteTokens] !== undefined ||
    attributes[names.noCacheTokens] !== undefined;
  const cacheRead = (hasDetails ? read(names.cacheReadTokens) : read(names.cachedInputTokens)) ?? 0;
  const cacheWrite = (hasDetails ? read(names.cacheWriteTokens) : undefined) ?? 0;
  const reasoning = read(names.outputReasoningTokens) ?? read(names.reasoningTokens) ?? 0;
  const total = read(names.totalTokens);
  if (reasoning > 0 && total !== undefined && total === input + output + reasoning) output += reasoning;
  const usage = reader.finish({
    inputTokens: hasDetails ? input : cacheInclusiveInput(input, cacheRead, cacheWrite),
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
  });
  return { source: USAGE_SOURCE.VERCEL_AI, usage };
}

/**
 * `gen_ai.usage.*`: the OpenTelemetry semconv names (current and deprecated), then the names of
 * the Anthropic SDK's own span and OpenLLMetry's cache/reasoning names. The source is
 * `openllmetry` when one of OpenLLMetry's names is present, `sdk` when one of the Anthropic SDK's
 * is, `vercel-ai` when the AI SDK's `ai.*` markers are, else `opentelemetry`.
 */
export function readGenAIUsage(attributes: AttributeMap): ForeignUsage | undefined {
  const semconv = FOREIGN_USAGE_ATTRIBUTES.semconv;
  const anthropicSdk = FOREIGN_USAGE_ATTRIBUTES.anthropicSdk;
  const openllmetry = FOREIGN_USAGE_ATTRIBUTES.openllmetry;
  const inputName = attributes[semconv.input] !== undefined ? semconv.input : semconv.promptDeprecated;
  const outputName = attributes[semconv.output] !== undefined ? semconv.output : semconv.completionDeprecated;
  if (attributes[inputName] === undefined && attributes[outputName] === undefined) return undefined;
  const reader = new CountReader();
  const read = (name: string) => reader.count(attributes[name], name);
  const cacheRead = read(semconv.cacheRead) ?? read(openllmetry.cacheRead) ?? 0;
  const cacheWrite5m = read(anthropicSdk.cacheWrite5m);
  const cacheWrite1h = read(anthropicSdk.cacheWrite1h);
  const cacheWrite =
    read(semconv.cacheWrite) ??
    read(anthropicSdk.cacheWrite) ??
    read(openllmetry.cacheWrite) ??
    (cacheWrite5m ?? 0) + (cacheWrite1h ?? 0);
  const usage = reader.finish({
    inputTokens: cacheInclusiveInput(read(inputName) ?? 0, cacheRead, cacheWrite),
    outputTokens: read(outputName) ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite5mTokens: cacheWrite5m,
    cacheWrite1hTokens: cacheWrite1h,
    reasoningTokens: read(semconv.reasoning) ?? read(openllmetry.reasoning) ?? 0,
  });
  return { source: genAIUsageSource(attributes), usage };
}

function genAIUsageSource(attributes: AttributeMap): UsageSource {
  const openllmetryNames: string[] = [
    ...Object.values(FOREIGN_USAGE_ATTRIBUTES.openllmetry),
    FOREIGN_USAGE_ATTRIBUTES.semconv.promptDeprecated,
    FOREIGN_USAGE_ATTRIBUTES.semconv.completionDeprecated,
  ];
  const keys = Object.keys(attributes);
  if (keys.some((key) => openllmetryNames.includes(key) || key.startsWith('traceloop.'))) {
    return USAGE_SOURCE.OPENLLMETRY;
  }
  const anthropicSdkNames: string[] = Object.values(FOREIGN_USAGE_ATTRIBUTES.anthropicSdk);
  if (keys.some((key) => anthropicSdkNames.includes(key))) return USAGE_SOURCE.SDK;
  if (keys.some((key) => key.startsWith('ai.'))) return USAGE_SOURCE.VERCEL_AI;
  return USAGE_SOURCE.OPENTELEMETRY;
}

/** Cache tokens that outnumber the input prove the input excluded them. */
function cacheInclusiveInput(input: number, cacheRead: number, cacheWrite: number): number {
  return cacheRead + cacheWrite > input ? input + cacheRead + cacheWrite : input;
}
