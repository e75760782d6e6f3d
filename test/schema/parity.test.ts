/**
 * SQL pricing = JavaScript pricing. The whole catalogue export of @aicost/core
 * (exportPriceRows/exportPriceAliases) is loaded into the engine; spans without a cost, as
 * other instrumentations send them, are priced at ingest; every result must equal what
 * @aicost/core's priceUsage gives for the same provider, model, usage and instant, component
 * by component, to the nano-dollar.
 *
 * One deliberate gap, pinned below: prices that depend on the time of day (DeepSeek's peak
 * and off-peak hours). The export has no row for those models, so SQL leaves them unpriced
 * (never a price that is wrong for part of the day); JavaScript prices them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageFromAttributes } from '../../packages/core/src/ledger/attributes.js';
import { MAX_TOKEN_COUNT } from '../../packages/core/src/ledger/usage.js';
import { formatNanos } from '../../packages/core/src/money/index.js';
import {
  CATALOGUE_PROVIDER_IDS,
  priceEntries,
  resolveCatalogueProvider,
} from '../../packages/core/src/pricing/catalogue.js';
import { createPricer, exportPriceAliases, exportPriceRows } from '../../packages/core/src/pricing/index.js';
import type { PriceAlias, PriceRow } from '../../packages/core/src/pricing/price-rows.js';
import type { TokenUsage } from '../../packages/core/src/types.js';
import {
  type AttributeValue,
  type EngineSession,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { callSpan, keepPinnedDates, prng } from './fixtures.js';

// Mid-morning UTC: DeepSeek's peak hours, where the old export (off-peak price) was wrong.
const AT = new Date('2026-11-02T10:00:00Z');
// Bedrock model ids as AWS SDKs send them (cross-region inference profiles, version
// suffixes): only the catalogue's `contains` rules match them.
const BEDROCK_IDS = [
  'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
  'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'us.amazon.nova-pro-v1:0',
  'us.meta.llama3-1-70b-instruct-v1:0',
];
const pricer = createPricer({ pricesFile: false });

interface Case {
  spanId: string;
  provider: string;
  model: string;
  usage: TokenUsage;
}

let engine: EngineSession;
const cases: Case[] = [];
let rowCount = 0;
let aliasCount = 0;
/** Invalid and edge usage (service EDGE_SERVICE): the SQL must call it what @aicost/core calls it. */
const edgeCases: EdgeCase[] = [];
const EDGE_SERVICE = 'usage-edges';

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  const rows = exportPriceRows({ pricer });
  const aliases = exportPriceAliases({ pricer });
  rowCount = rows.length;
  aliasCount = aliases.length;
  await loadPriceRows(engine, rows, aliases);

  // Every exact alias (every provider name spans may carry x every model name the catalogue
  // lists for it), every prefix and contains pattern as a model name of its own, and real
  // Bedrock ids.
  const random = prng(42);
  const int = (max: number) => Math.floor(random() * max);
  const models = [
    ...aliases.map((alias) => ({ provider: alias.provider, model: alias.pattern })),
    ...BEDROCK_IDS.map((model) => ({ provider: 'aws.bedrock', model })),
  ];
  for (const { provider, model } of models) {
    const input = int(400_000);
    const cacheRead = random() < 0.5 ? int(input / 2) : 0;
    const cacheWrite = random() < 0.3 ? int((input - cacheRead) / 2) : 0;
    const cacheWrite1h = random() < 0.5 ? int(cacheWrite) : 0;
    const output = int(20_000);
    const reasoning = random() < 0.3 ? int(output) : 0;
    cases.push({
      spanId: cases.length.toString(16).padStart(16, '0'),
      provider,
      model,
      usage: {
        inputTokens: input,
        outputTokens: output,
        cacheReadTokens: cacheRead,
        cacheWriteTokens: cacheWrite,
        cacheWrite1hTokens: cacheWrite1h,
        cacheWrite5mTokens: cacheWrite - cacheWrite1h,
        reasoningTokens: reasoning,
        requests: 1,
      },
    });
  }
  edgeCases.push(...usageEdgeCases(rows, aliases));
  await insertSpans(
    engine,
    edgeCases.map((c) =>
      callSpan({
        start: AT,
        spanId: c.spanId,
        provider: c.provider,
        requestModel: c.model,
        service: EDGE_SERVICE,
        attributes: c.attributes,
        scopeName: 'openinference.instrumentation.openai',
      }),
    ),
  );
  await insertSpans(
    engine,
    cases.map((c) =>
      callSpan({
        start: AT,
        spanId: c.spanId,
        provider: c.provider,
        requestModel: c.model,
        usage: {
          input: c.usage.inputTokens,
          output: c.usage.outputTokens,
          cacheRead: c.usage.cacheReadTokens,
          cacheWrite: c.usage.cacheWriteTokens,
          cacheWrite1h: c.usage.cacheWrite1hTokens,
          cacheWrite5m: c.usage.cacheWrite5mTokens,
          reasoning: c.usage.reasoningTokens,
          requests: 1,
        },
        scopeName: 'openinference.instrumentation.openai',
      }),
    ),
  );
}, 180_000);
afterAll(async () => {
  await engine?.close();
});

/** Catalogue models (`provider/model`) with a time-of-day price, from the catalogue data itself. */
function timeOfDayModels(): string[] {
  const found: string[] = [];
  for (const providerId of CATALOGUE_PROVIDER_IDS) {
    const provider = resolveCatalogueProvider(providerId);
    if (provider?.id !== providerId) continue;
    for (const model of provider.models) {
      if (priceEntries(model).some((entry) => entry.constraint?.type === 'time_of_date')) {
        found.push(`${provider.id}/${model.id}`);
      }
    }
  }
  return found.sort();
}

describe('SQL pricing against @aicost/core, over the whole catalogue', () => {
  it('loads the full catalogue export', () => {
    expect(rowCount).toBeGreaterThan(1000);
    expect(aliasCount).toBeGreaterThan(rowCount);
    const [loaded] = engine.query<{ prices: string; aliases: string }>(`
      SELECT (SELECT count() FROM otel.aicost_prices_current) AS prices,
             (SELECT count() FROM otel.aicost_price_aliases FINAL) AS aliases`);
    expect(loaded).toEqual({ prices: String(rowCount), aliases: String(aliasCount) });
  });

  it('prices every catalogue alias exactly as priceUsage does, component by component', () => {
    const rows = engine.query<Record<string, string | null>>(
      `SELECT span_id, cost_status, cost_status_reason, cost_input, cost_cache_read, cost_cache_write,
              cost_output, cost_other, cost_total, price_provider_id, price_model_id
       FROM otel.aicost_requests WHERE service != '${EDGE_SERVICE}'`,
    );
    const bySpan = new Map(rows.map((row) => [row.span_id, row]));
    expect(bySpan.size).toBe(cases.length);
    const mismatches: string[] = [];
    let compared = 0;
    let priced = 0;
    for (const c of cases) {
      const js = pricer.priceUsage({ provider: c.provider, model: c.model, usage: c.usage, timestamp: AT });
      const sql = bySpan.get(c.spanId)!;
      const want = js.cost
        ? {
            status: 'priced',
            input: formatNanos(js.cost.input),
            cacheRead: formatNanos(js.cost.cacheRead),
            cacheWrite: formatNanos(js.cost.cacheWrite),
            output: formatNanos(js.cost.output),
            other: formatNanos(js.cost.other),
            total: formatNanos(js.cost.total),
            model: `${js.providerId}/${js.modelId}`,
          }
        : { status: 'unpriced' };
      const got = js.cost
        ? {
            status: sql.cost_status,
            input: sql.cost_input,
            cacheRead: sql.cost_cache_read,
            cacheWrite: sql.cost_cache_write,
            output: sql.cost_output,
            other: sql.cost_other,
            total: sql.cost_total,
            model: `${sql.price_provider_id}/${sql.price_model_id}`,
          }
        : { status: sql.cost_status };
      compared += 1;
      if (js.cost) priced += 1;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${c.provider} ${c.model}: sql ${JSON.stringify(got)} js ${JSON.stringify(want)}`);
      }
    }
    expect(compared).toBe(cases.length);
    expect(priced).toBeGreaterThan(cases.length * 0.9);
    // The only difference allowed: models whose catalogue price depends on the time of day are
    // unpriced in SQL (no cost at all, reason unknown_model), never priced differently.
    const timeOfDay = new Set(timeOfDayModels());
    const [skipped, wrong] = partition(mismatches, (line) => {
      const model = /"model":"([^"]+)"}$/.exec(line)?.[1];
      return model !== undefined && timeOfDay.has(model) && line.includes('sql {"status":"unpriced",');
    });
    expect(wrong).toEqual([]);
    expect(skipped.length).toBeGreaterThan(0);
    const unpricedTimeOfDay = engine.query<{ n: string }>(
      `SELECT count() AS n FROM otel.aicost_requests
       WHERE provider = 'deepseek' AND cost_total IS NULL AND cost_status_reason = 'unknown_model'`,
    );
    expect(Number(unpricedTimeOfDay[0]!.n)).toBe(
      cases.filter(
        (c) => c.provider === 'deepseek' && skipped.some((line) => line.startsWith(`deepseek ${c.model}:`)),
      ).length,
    );
  });

  it('prices Bedrock ids through the contains rules, like @aicost/core', () => {
    const rows = engine.query<{ model: string; cost_status: string; price_model_id: string }>(
      `SELECT model, cost_status, price_model_id FROM otel.aicost_requests
       WHERE provider = 'aws.bedrock' AND model IN (${BEDROCK_IDS.map((id) => `'${id}'`).join(', ')})
       ORDER BY model`,
    );
    const expected = [...BEDROCK_IDS].sort().map((model) => {
      const js = pricer.priceUsage({
        provider: 'aws.bedrock',
        model,
        usage: {
          inputTokens: 1,
          outputTokens: 1,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
          requests: 1,
        },
        timestamp: AT,
      });
      return { model, cost_status: 'priced', price_model_id: js.modelId };
    });
    expect(expected.every((row) => row.price_model_id !== undefined)).toBe(true);
    expect(rows).toEqual(expected);
  });
});

describe('SQL usage validity against @aicost/core: invalid and edge usage', () => {
  it('gives every invalid or edge usage the status, reason and cost @aicost/core gives it', () => {
    const rows = engine.query<{
      span_id: string;
      cost_status: string;
      cost_status_reason: string;
      cost_total: string | null;
    }>(
      `SELECT span_id, cost_status, cost_status_reason, cost_total
       FROM otel.aicost_requests WHERE service = '${EDGE_SERVICE}'`,
    );
    const bySpan = new Map(rows.map((row) => [row.span_id, row]));
    // One request row per span, none lost to a parse error.
    expect(rows.length).toBe(edgeCases.length);
    const mismatches: string[] = [];
    const seen = new Map<string, number>();
    for (const c of edgeCases) {
      const js = pricer.priceUsage({
        provider: c.provider,
        model: c.model,
        usage: usageFromAttributes(c.attributes),
        timestamp: AT,
      });
      const want = {
        status: js.status,
        reason: js.reason ?? '',
        total: js.cost ? formatNanos(js.cost.total) : null,
      };
      const sql = bySpan.get(c.spanId);
      const got = sql && { status: sql.cost_status, reason: sql.cost_status_reason, total: sql.cost_total };
      const key = `${want.status}/${want.reason}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(
          `${c.label} (${c.provider} ${c.model}): sql ${JSON.stringify(got)} js ${JSON.stringify(want)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    // The cases reach each outcome: invalid usage, missing usage, priced, and an unknown model.
    expect(seen.get('unpriced/invalid_usage')).toBeGreaterThan(edgeCases.length / 2);
    expect(seen.get('priced/')).toBeGreaterThan(0);
    expect(seen.get('unpriced/missing_usage')).toBeGreaterThan(0);
    expect(seen.get('unpriced/unknown_model')).toBeGreaterThan(0);
  });

  it('never gives a negative cost component, whatever the usage', () => {
    const [negative] = engine.query<{ n: string }>(
      `SELECT count() AS n FROM otel.aicost_requests
       WHERE service = '${EDGE_SERVICE}'
         AND least(cost_input, cost_cache_read, cost_cache_write, cost_output, cost_other) < 0`,
    );
    expect(negative!.n).toBe('0');
  });
});

interface EdgeCase {
  label: string;
  spanId: string;
  provider: string;
  model: string;
  attributes: Record<string, AttributeValue>;
}

const ATTR = {
  input: 'gen_ai.usage.input_tokens',
  output: 'gen_ai.usage.output_tokens',
  cacheRead: 'gen_ai.usage.cache_read.input_tokens',
  cacheWrite: 'gen_ai.usage.cache_creation.input_tokens',
  cacheWrite5m: 'aicost.usage.cache_creation_5m.input_tokens',
  cacheWrite1h: 'aicost.usage.cache_creation_1h.input_tokens',
  reasoning: 'gen_ai.usage.reasoning.output_tokens',
  inputAudio: 'aicost.usage.audio.input_tokens',
  outputAudio: 'aicost.usage.audio.output_tokens',
  inputImage: 'aicost.usage.image.input_tokens',
  outputImage: 'aicost.usage.image.output_tokens',
  requests: 'aicost.usage.requests',
} as const;
type Part = keyof typeof ATTR;

/** Usage that @aicost/core accepts, every part present and within its whole. */
const VALID_USAGE: Partial<Record<Part, AttributeValue>> = {
  input: 1000,
  cacheRead: 200,
  cacheWrite: 100,
  cacheWrite5m: 60,
  cacheWrite1h: 40,
  output: 500,
  reasoning: 100,
  inputAudio: 50,
  outputAudio: 50,
  inputImage: 30,
  outputImage: 30,
};

/** Changes to VALID_USAGE (`undefined` removes a part): parts above their whole, bad and huge counts, edges. */
const USAGE_EDGES: Record<string, Partial<Record<Part, AttributeValue | undefined>>> = {
  valid: {},
  'audio output above output': { outputAudio: 600 },
  'image output above output': { outputImage: 600 },
  'reasoning above output': { reasoning: 600 },
  'reasoning + audio output above output': { reasoning: 300, outputAudio: 300 },
  'audio input above input': { inputAudio: 1200 },
  'image input above input': { inputImage: 1200 },
  'audio + image input above input': { inputAudio: 600, inputImage: 600 },
  'cache reads above input': { cacheRead: 1200 },
  'cache reads + writes above input': { cacheRead: 950 },
  '5m + 1h writes above cache writes': { cacheWrite5m: 80 },
  '1h writes above cache writes': { cacheWrite1h: 120, cacheWrite5m: undefined },
  'cache + audio input above input, each within': { cacheRead: 700, inputAudio: 400 },
  'negative input': { input: -5 },
  'negative output': { output: -1 },
  'negative cache reads': { cacheRead: -3 },
  'negative audio output': { outputAudio: -1 },
  'negative requests': { requests: -1 },
  'NaN output': { output: Number.NaN },
  'NaN audio input': { inputAudio: Number.NaN },
  'infinite input': { input: Number.POSITIVE_INFINITY },
  'fractional output': { output: 12.5 },
  'fractional output as text': { output: '480.5' },
  'text input': { input: 'abc' },
  'hex input': { input: '0x10' },
  'exponent reasoning': { reasoning: '1e2' },
  'empty cache reads': { cacheRead: '' },
  'boolean output': { output: true },
  'digits with blanks': { output: ' 480 ' },
  'digits as text': { input: '1000', output: '500' },
  'input above MAX_TOKEN_COUNT': { input: MAX_TOKEN_COUNT + 1 },
  'output far above MAX_TOKEN_COUNT': { output: 1e13 },
  'image output above UInt64': { outputImage: '99999999999999999999999' },
  'requests above MAX_TOKEN_COUNT': { requests: 1e13 },
  'input at MAX_TOKEN_COUNT': { input: MAX_TOKEN_COUNT },
  'zero usage': {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    reasoning: 0,
    inputAudio: 0,
    outputAudio: 0,
    inputImage: 0,
    outputImage: 0,
  },
  'no input or output, audio output only': { input: undefined, output: undefined },
};

/**
 * Models to try each edge on: one per price key that takes tokens out of a wider kind (audio and
 * image in and out, reasoning, cache writes by TTL), so that both a leaf priced apart and one left
 * in its whole meet every edge; plus a plain model and one the catalogue does not know.
 */
function usageEdgeCases(rows: readonly PriceRow[], aliases: readonly PriceAlias[]): EdgeCase[] {
  const current = (row: PriceRow) =>
    Date.parse(row.validFrom) <= AT.getTime() &&
    (row.validTo === null || AT.getTime() < Date.parse(row.validTo));
  const keys: (keyof PriceRow)[] = [
    'outputAudioMtok',
    'inputAudioMtok',
    'outputImageMtok',
    'inputImageMtok',
    'outputReasoningMtok',
    'cacheWrite1hMtok',
    'cacheReadMtok',
  ];
  const models: { provider: string; model: string }[] = [];
  for (const key of keys) {
    for (const row of rows.filter((r) => current(r) && r[key] !== null && r.providerId !== 'deepseek')) {
      const alias = aliases.find(
        (a) =>
          a.matchKind === 'exact' &&
          a.providerId === row.providerId &&
          a.modelId === row.modelId &&
          a.pattern === row.modelId,
      );
      if (alias) {
        models.push({ provider: alias.provider, model: alias.pattern });
        break;
      }
    }
  }
  expect(models.length).toBe(keys.length);
  models.push({ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'openai', model: 'no-such-model-7' });
  const cases: EdgeCase[] = [];
  for (const { provider, model } of models) {
    for (const [label, change] of Object.entries(USAGE_EDGES)) {
      const usage: Partial<Record<Part, AttributeValue | undefined>> = { ...VALID_USAGE, ...change };
      const attributes: Record<string, AttributeValue> = {};
      for (const [part, value] of Object.entries(usage)) {
        if (value !== undefined) attributes[ATTR[part as Part]] = value;
      }
      cases.push({
        label,
        spanId: `e${cases.length.toString(16).padStart(15, '0')}`,
        provider,
        model,
        attributes,
      });
    }
  }
  return cases;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
