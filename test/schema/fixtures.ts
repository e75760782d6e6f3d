/**
 * Price rows, aliases and span builders shared by the schema suites. Prices are the
 * catalogue's published ones for these models (USD per 1M tokens) so the expected costs in
 * the tests can be checked by hand.
 */
import type { AttributeValue, EngineSession, ExporterSpan, PriceAlias, PriceRow } from '../support/chdb.js';

const CATALOGUE = { priceSource: 'genai-prices', priceVersion: 'genai-prices@0.1.8' } as const;

export const PRICES: PriceRow[] = [
  {
    providerId: 'openai',
    modelId: 'gpt-4o',
    validFrom: '2024-05-13T00:00:00Z',
    inputMtok: '2.5',
    cacheReadMtok: '1.25',
    outputMtok: '10',
    ...CATALOGUE,
  },
  {
    providerId: 'openai',
    modelId: 'gpt-4o-mini',
    validFrom: '2024-07-18T00:00:00Z',
    inputMtok: '0.15',
    cacheReadMtok: '0.075',
    outputMtok: '0.6',
    ...CATALOGUE,
  },
  {
    providerId: 'openai',
    modelId: 'gpt-4o-audio-preview',
    validFrom: '2024-10-01T00:00:00Z',
    inputMtok: '2.5',
    outputMtok: '10',
    inputAudioMtok: '40',
    outputAudioMtok: '80',
    ...CATALOGUE,
  },
  // A price change on 2026-06-01: the old period ends where the new one starts.
  {
    providerId: 'openai',
    modelId: 'gpt-4.1',
    validFrom: '2025-04-14T00:00:00Z',
    validTo: '2026-06-01T00:00:00Z',
    inputMtok: '2',
    cacheReadMtok: '0.5',
    outputMtok: '8',
    ...CATALOGUE,
  },
  {
    providerId: 'openai',
    modelId: 'gpt-4.1',
    validFrom: '2026-06-01T00:00:00Z',
    inputMtok: '1.5',
    cacheReadMtok: '0.375',
    outputMtok: '6',
    ...CATALOGUE,
  },
  {
    providerId: 'anthropic',
    modelId: 'claude-sonnet-4-0',
    validFrom: '2025-05-22T00:00:00Z',
    inputMtok: '3',
    cacheReadMtok: '0.3',
    cacheWriteMtok: '3.75',
    cacheWrite1hMtok: '6',
    outputMtok: '15',
    ...CATALOGUE,
  },
  {
    providerId: 'google',
    modelId: 'gemini-2.5-pro',
    validFrom: '2025-06-17T00:00:00Z',
    inputMtok: '1.25',
    cacheReadMtok: '0.31',
    outputMtok: '10',
    tierStartTokens: 200_000,
    inputMtokTier: '2.5',
    cacheReadMtokTier: '0.625',
    outputMtokTier: '15',
    ...CATALOGUE,
  },
  {
    providerId: 'perplexity',
    modelId: 'sonar',
    validFrom: '2025-01-01T00:00:00Z',
    inputMtok: '1',
    outputMtok: '1',
    requestsKcount: '5',
    ...CATALOGUE,
  },
  {
    providerId: 'aws',
    modelId: 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
    validFrom: '2024-06-20T00:00:00Z',
    inputMtok: '3',
    outputMtok: '15',
    ...CATALOGUE,
  },
  {
    providerId: 'aws',
    modelId: 'amazon.nova-pro-v1:0',
    validFrom: '2024-12-03T00:00:00Z',
    inputMtok: '0.8',
    outputMtok: '3.2',
    ...CATALOGUE,
  },
  {
    providerId: 'aws',
    modelId: 'amazon.nova-lite-v1:0',
    validFrom: '2024-12-03T00:00:00Z',
    inputMtok: '0.06',
    outputMtok: '0.24',
    ...CATALOGUE,
  },
  // Prices with many digits, for the rounding checks.
  {
    providerId: 'self',
    modelId: 'odd-model',
    validFrom: '2020-01-01T00:00:00Z',
    inputMtok: '0.0375',
    outputMtok: '1.234567891234',
    priceSource: 'override',
    priceVersion: 'prices.yaml@3',
  },
];

const exact = (provider: string, pattern: string, providerId: string, modelId: string): PriceAlias => ({
  provider,
  matchKind: 'exact',
  pattern,
  providerId,
  modelId,
});
const prefix = (provider: string, pattern: string, providerId: string, modelId: string): PriceAlias => ({
  provider,
  matchKind: 'prefix',
  pattern,
  providerId,
  modelId,
});

const contains = (provider: string, pattern: string, providerId: string, modelId: string): PriceAlias => ({
  provider,
  matchKind: 'contains',
  pattern,
  providerId,
  modelId,
});

export const ALIASES: PriceAlias[] = [
  exact('openai', 'gpt-4o', 'openai', 'gpt-4o'),
  exact('openai', 'gpt-4o-2024-08-06', 'openai', 'gpt-4o'),
  exact('openai', 'gpt-4o-mini', 'openai', 'gpt-4o-mini'),
  exact('openai', 'gpt-4o-mini-2024-07-18', 'openai', 'gpt-4o-mini'),
  exact('openai', 'gpt-4o-audio-preview', 'openai', 'gpt-4o-audio-preview'),
  exact('openai', 'gpt-4.1', 'openai', 'gpt-4.1'),
  prefix('openai', 'gpt-4.1-2025', 'openai', 'gpt-4.1'),
  exact('anthropic', 'claude-sonnet-4', 'anthropic', 'claude-sonnet-4-0'),
  exact('anthropic', 'claude-sonnet-4-0', 'anthropic', 'claude-sonnet-4-0'),
  // Two prefixes where one contains the other: the longer must win.
  prefix('anthropic', 'claude-sonnet-4', 'anthropic', 'claude-sonnet-4-0'),
  prefix('anthropic', 'claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'),
  exact('gcp.gemini', 'gemini-2.5-pro', 'google', 'gemini-2.5-pro'),
  exact('google', 'gemini-2.5-pro', 'google', 'gemini-2.5-pro'),
  exact('perplexity', 'sonar', 'perplexity', 'sonar'),
  exact('self_hosted', 'odd-model', 'self', 'odd-model'),
  // Bedrock ids are found by substring, in the catalogue's order (rank): 'amazon.nova' is
  // deliberately a broader rule ranked after the specific ones.
  {
    ...contains(
      'aws.bedrock',
      'claude-3-5-sonnet-20240620',
      'aws',
      'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
    ),
    rank: 1,
  },
  { ...contains('aws.bedrock', 'amazon.nova-pro', 'aws', 'amazon.nova-pro-v1:0'), rank: 2 },
  { ...contains('aws.bedrock', 'amazon.nova', 'aws', 'amazon.nova-lite-v1:0'), rank: 3 },
];

export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  reasoning?: number;
  inputAudio?: number;
  outputAudio?: number;
  requests?: number;
}

const USAGE_ATTRIBUTES: Record<keyof Usage, string> = {
  input: 'gen_ai.usage.input_tokens',
  output: 'gen_ai.usage.output_tokens',
  cacheRead: 'gen_ai.usage.cache_read.input_tokens',
  cacheWrite: 'gen_ai.usage.cache_creation.input_tokens',
  cacheWrite5m: 'aicost.usage.cache_creation_5m.input_tokens',
  cacheWrite1h: 'aicost.usage.cache_creation_1h.input_tokens',
  reasoning: 'gen_ai.usage.reasoning.output_tokens',
  inputAudio: 'aicost.usage.audio.input_tokens',
  outputAudio: 'aicost.usage.audio.output_tokens',
  requests: 'aicost.usage.requests',
};

export function usageAttributes(usage: Usage): Record<string, number> {
  const attributes: Record<string, number> = {};
  for (const [key, value] of Object.entries(usage)) {
    if (value !== undefined) attributes[USAGE_ATTRIBUTES[key as keyof Usage]] = value;
  }
  return attributes;
}

export interface CallSpan {
  start: Date | string;
  provider?: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  usage?: Usage;
  service?: string;
  resource?: Record<string, AttributeValue>;
  attributes?: Record<string, AttributeValue>;
  durationNs?: bigint | number;
  statusCode?: string;
  spanId?: string;
  traceId?: string;
  scopeName?: string;
}

/** A GenAI client span as an instrumentation emits it (semconv names, values typed as OTel would). */
export function callSpan(call: CallSpan): ExporterSpan {
  const attributes: Record<string, AttributeValue> = {
    'gen_ai.operation.name': call.operation ?? 'chat',
    ...(call.provider === undefined ? {} : { 'gen_ai.provider.name': call.provider }),
    ...(call.requestModel === undefined ? {} : { 'gen_ai.request.model': call.requestModel }),
    ...(call.responseModel === undefined ? {} : { 'gen_ai.response.model': call.responseModel }),
    ...usageAttributes(call.usage ?? {}),
    ...call.attributes,
  };
  const span: ExporterSpan = {
    start: call.start,
    name: `${attributes['gen_ai.operation.name']} ${call.requestModel ?? ''}`.trim(),
    kind: 'Client',
    resource: { 'service.name': call.service ?? 'checkout', ...call.resource },
    scopeName: call.scopeName ?? '@opentelemetry/instrumentation-openai',
    attributes,
    durationNs: call.durationNs ?? 1_250_000_000n,
    statusCode: call.statusCode ?? 'Unset',
  };
  if (call.spanId !== undefined) span.spanId = call.spanId;
  if (call.traceId !== undefined) span.traceId = call.traceId;
  return span;
}

/** The cost attributes @aicost/core puts on a priced span (amounts with exactly 9 decimals). */
export function aicostCostAttributes(cost: {
  total: string;
  input?: string;
  cacheRead?: string;
  cacheWrite?: string;
  output?: string;
  other?: string;
  status?: string;
  source?: string;
  version?: string;
  providerId?: string;
  modelId?: string;
}): Record<string, string> {
  return {
    'aicost.cost.total': cost.total,
    'aicost.cost.input': cost.input ?? '0.000000000',
    'aicost.cost.cache_read': cost.cacheRead ?? '0.000000000',
    'aicost.cost.cache_write': cost.cacheWrite ?? '0.000000000',
    'aicost.cost.output': cost.output ?? '0.000000000',
    'aicost.cost.other': cost.other ?? '0.000000000',
    'aicost.cost.currency': 'USD',
    'aicost.cost.status': cost.status ?? 'priced',
    'aicost.price.source': cost.source ?? 'genai-prices',
    'aicost.price.version': cost.version ?? 'genai-prices@0.1.8',
    ...(cost.providerId === undefined ? {} : { 'aicost.price.provider_id': cost.providerId }),
    ...(cost.modelId === undefined ? {} : { 'aicost.price.model_id': cost.modelId }),
  };
}

/**
 * What the PRICES above charge for a call (uncached input, cache reads, output; latest period,
 * no tier), in nano-USD: the scale an SDK-recorded cost must stay near for the request table to
 * keep it (packages/schema/sql/016_cost_trust.sql). Suites that record odd SDK amounts scale this.
 */
export function catalogueNanos(
  modelId: string,
  usage: { input: number; cacheRead?: number; output?: number },
): bigint {
  const row = PRICES.filter((price) => price.modelId === modelId).at(-1);
  if (row === undefined) throw new Error(`no fixture price for ${modelId}`);
  const cacheRead = usage.cacheRead ?? 0;
  // USD per 1M tokens = nano-USD per 1,000 tokens.
  const perThousand =
    (usage.input - cacheRead) * Number(row.inputMtok) +
    cacheRead * Number(row.cacheReadMtok ?? row.inputMtok) +
    (usage.output ?? 0) * Number(row.outputMtok);
  return BigInt(Math.round(perThousand * 1000));
}

/** Deterministic PRNG (mulberry32) so generated data is the same on every run. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * For suites whose spans are pinned to calendar dates (the price periods of these fixtures
 * change on 2026-06-01): the request table keeps 400 days and the hourly rollup 800, and the
 * engine drops rows already past their TTL as they are inserted, so such a suite would lose
 * its rows once the calendar moves on. Retention is not what they test: lift it.
 */
export function keepPinnedDates(engine: EngineSession): void {
  engine.exec('ALTER TABLE otel.aicost_requests REMOVE TTL');
  engine.exec('ALTER TABLE otel.aicost_rollup_hourly REMOVE TTL');
}
