import type { LedgerResult } from '../types.js';
import { usageFromAnthropic } from './anthropic.js';
import { usageFromCohere } from './cohere.js';
import { usageFromOpenAIChat } from './openai.js';
import { CountReader, dig, isRecord, pick } from './usage.js';

/**
 * Bedrock Converse / ConverseStream `usage` (the `metadata` event of a stream carries the same shape).
 * `inputTokens` EXCLUDES `cacheReadInputTokens` and `cacheWriteInputTokens`; `cacheDetails`
 * (`[{ ttl: '5m' | '1h', inputTokens }]`) splits the cache writes by TTL.
 */
export function usageFromBedrockConverse(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const reader = new CountReader();
  const uncached = reader.count(usage.inputTokens, 'usage.inputTokens') ?? 0;
  const cacheRead = reader.count(usage.cacheReadInputTokens, 'usage.cacheReadInputTokens') ?? 0;
  const cacheWrite = reader.count(usage.cacheWriteInputTokens, 'usage.cacheWriteInputTokens') ?? 0;
  const byTtl: Partial<Record<string, number>> = {};
  if (Array.isArray(usage.cacheDetails)) {
    for (const detail of usage.cacheDetails) {
      const ttl = pick(detail, 'ttl');
      const tokens = reader.count(
        pick(detail, 'inputTokens'),
        `usage.cacheDetails.${String(ttl)}.inputTokens`,
      );
      if (typeof ttl === 'string' && tokens !== undefined) byTtl[ttl] = (byTtl[ttl] ?? 0) + tokens;
    }
  }
  return reader.finish({
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: reader.count(usage.outputTokens, 'usage.outputTokens') ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite5mTokens: byTtl['5m'],
    cacheWrite1hTokens: byTtl['1h'],
  });
}

/** Token-count headers of InvokeModel responses; input EXCLUDES the cache counts, as in Converse. */
export const BEDROCK_TOKEN_HEADERS = {
  input: 'x-amzn-bedrock-input-token-count',
  output: 'x-amzn-bedrock-output-token-count',
  cacheRead: 'x-amzn-bedrock-cache-read-input-token-count',
  cacheWrite: 'x-amzn-bedrock-cache-write-input-token-count',
} as const;

/** A `Headers` object, or a plain record with any header-name case. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** Usage from InvokeModel response headers; `undefined` when the model sent no counts (e.g. Cohere, AI21). */
export function usageFromBedrockHeaders(headers: HeadersLike | undefined): LedgerResult {
  if (!headers) return undefined;
  const input = header(headers, BEDROCK_TOKEN_HEADERS.input);
  const output = header(headers, BEDROCK_TOKEN_HEADERS.output);
  if (input === undefined && output === undefined) return undefined;
  const reader = new CountReader();
  const uncached = reader.count(input, BEDROCK_TOKEN_HEADERS.input) ?? 0;
  const cacheRead =
    reader.count(header(headers, BEDROCK_TOKEN_HEADERS.cacheRead), BEDROCK_TOKEN_HEADERS.cacheRead) ?? 0;
  const cacheWrite =
    reader.count(header(headers, BEDROCK_TOKEN_HEADERS.cacheWrite), BEDROCK_TOKEN_HEADERS.cacheWrite) ?? 0;
  return reader.finish({
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: reader.count(output, BEDROCK_TOKEN_HEADERS.output) ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  });
}

/**
 * `amazon-bedrock-invocationMetrics` of the last InvokeModelWithResponseStream chunk:
 * `inputTokenCount` EXCLUDES `cacheReadInputTokenCount` / `cacheWriteInputTokenCount`.
 */
export function usageFromBedrockInvocationMetrics(metrics: unknown): LedgerResult {
  if (!isRecord(metrics)) return undefined;
  const reader = new CountReader();
  const uncached = reader.count(metrics.inputTokenCount, 'inputTokenCount') ?? 0;
  const cacheRead = reader.count(metrics.cacheReadInputTokenCount, 'cacheReadInputTokenCount') ?? 0;
  const cacheWrite = reader.count(metrics.cacheWriteInputTokenCount, 'cacheWriteInputTokenCount') ?? 0;
  return reader.finish({
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: reader.count(metrics.outputTokenCount, 'outputTokenCount') ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  });
}

export type BedrockModelFamily =
  | 'anthropic'
  | 'meta'
  | 'amazon-nova'
  | 'amazon-titan'
  | 'mistral'
  | 'cohere'
  | 'openai-compatible'
  | 'unknown';

const CROSS_REGION_PREFIX = /^(?:us|eu|apac|au|jp|ca|us-gov|global)\./;

/**
 * The body format of a Bedrock model id, inference-profile id or ARN:
 * `us.anthropic.claude-3-7-sonnet-20250219-v1:0` is `anthropic`.
 */
export function bedrockModelFamily(modelId: string): BedrockModelFamily {
  const id = (modelId.split('/').pop() ?? modelId).toLowerCase().replace(CROSS_REGION_PREFIX, '');
  if (id.startsWith('anthropic.')) return 'anthropic';
  if (id.startsWith('meta.')) return 'meta';
  if (id.startsWith('amazon.nova')) return 'amazon-nova';
  if (id.startsWith('amazon.titan')) return 'amazon-titan';
  if (id.startsWith('mistral.')) return 'mistral';
  if (id.startsWith('cohere.')) return 'cohere';
  if (/^(?:openai|deepseek|qwen|moonshot|minimax|zai|google)\./.test(id)) return 'openai-compatible';
  return 'unknown';
}

/**
 * Usage of a Bedrock InvokeModel response: read from the body in the model family's own
 * format, else from the token-count headers.
 *
 * - Anthropic: the Messages `usage` (cache-exclusive input, see {@link usageFromAnthropic});
 * - Meta Llama: `prompt_token_count` / `generation_token_count`;
 * - Amazon Nova: `usage.inputTokens` (cache-exclusive) with `cacheReadInputTokenCount` / `cacheWriteInputTokenCount`;
 * - Amazon Titan: `inputTextTokenCount` plus `results[].tokenCount`;
 * - Mistral and the OpenAI-format models: an OpenAI-like `usage` when present;
 * - Cohere: `meta.billed_units` (Command R) or a v2 `usage`.
 */
export function usageFromBedrockInvokeModel(
  modelId: string,
  body: unknown,
  headers?: HeadersLike,
): LedgerResult {
  const fromBody = isRecord(body) ? usageFromBody(bedrockModelFamily(modelId), body) : undefined;
  return fromBody ?? usageFromBedrockHeaders(headers);
}

function usageFromBody(family: BedrockModelFamily, body: Record<string, unknown>): LedgerResult {
  switch (family) {
    case 'anthropic':
      return usageFromAnthropic(body.usage);
    case 'meta':
      return usageFromLlama(body);
    case 'amazon-nova':
      return usageFromNova(body.usage);
    case 'amazon-titan':
      return usageFromTitan(body);
    case 'cohere':
      return usageFromCohere(isRecord(body.meta) ? body.meta : body.usage);
    default:
      return isRecord(body.usage) ? usageFromOpenAIChat(body.usage) : undefined;
  }
}

function usageFromLlama(body: Record<string, unknown>): LedgerResult {
  if (body.prompt_token_count === undefined && body.generation_token_count === undefined) return undefined;
  const reader = new CountReader();
  return reader.finish({
    inputTokens: reader.count(body.prompt_token_count, 'prompt_token_count') ?? 0,
    outputTokens: reader.count(body.generation_token_count, 'generation_token_count') ?? 0,
  });
}

function usageFromNova(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const reader = new CountReader();
  const uncached = reader.count(usage.inputTokens, 'usage.inputTokens') ?? 0;
  const cacheRead = reader.count(usage.cacheReadInputTokenCount, 'usage.cacheReadInputTokenCount') ?? 0;
  const cacheWrite = reader.count(usage.cacheWriteInputTokenCount, 'usage.cacheWriteInputTokenCount') ?? 0;
  return reader.finish({
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: reader.count(usage.outputTokens, 'usage.outputTokens') ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  });
}

function usageFromTitan(body: Record<string, unknown>): LedgerResult {
  if (body.inputTextTokenCount === undefined) return undefined;
  const reader = new CountReader();
  let output = 0;
  if (Array.isArray(body.results)) {
    body.results.forEach((result, index) => {
      output += reader.count(dig(result, 'tokenCount'), `results.${index}.tokenCount`) ?? 0;
    });
  }
  return reader.finish({
    inputTokens: reader.count(body.inputTextTokenCount, 'inputTextTokenCount') ?? 0,
    outputTokens: output,
  });
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
