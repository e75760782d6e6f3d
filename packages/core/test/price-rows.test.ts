import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PROVIDER_IDS,
  createPricer,
  exportPriceAliases,
  exportPriceRows,
  PRICE_DATA_VERSION,
  type PriceRow,
} from '../src/pricing/index.js';

const catalogueOnly = { pricesFile: false as const };
const rows = exportPriceRows(catalogueOnly);
const rowsOf = (providerId: string, modelId: string, list: PriceRow[] = rows) =>
  list.filter((row) => row.providerId === providerId && row.modelId === modelId);

describe('the catalogue this package pins', () => {
  const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
  const packageDir = dirname(dirname(entry));

  it('is the version written on every cost', () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(PRICE_DATA_VERSION).toBe(`genai-prices@${version}`);
  });

  it('has exactly the provider ids listed in CATALOGUE_PROVIDER_IDS', () => {
    // The package exports no provider list; every provider object in its bundled data has one api_pattern.
    const bundled = readFileSync(join(packageDir, 'dist', 'index.js'), 'utf8');
    const patterns = bundled.match(/^ {4}api_pattern: /gm) ?? [];
    expect(CATALOGUE_PROVIDER_IDS.length).toBe(patterns.length);
    for (const id of CATALOGUE_PROVIDER_IDS) expect(findProvider({ providerId: id })?.id).toBe(id);
  });
});

describe('exportPriceRows', () => {
  it('is deterministic and has one row per (provider, model, validFrom)', () => {
    expect(exportPriceRows(catalogueOnly)).toEqual(rows);
    const keys = rows.map((row) => `${row.providerId}|${row.modelId}|${row.validFrom}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.length).toBeGreaterThan(1000);
  });

  it('writes prices as decimal strings with at most 12 fractional digits', () => {
    const decimal = /^\d+(\.\d{1,12})?$/;
    for (const row of rows) {
      for (const [field, value] of Object.entries(row)) {
        if (field.endsWith('Mtok') || field.endsWith('MtokTier') || field === 'requestsKcount') {
          if (value !== null) expect(value, `${row.providerId}/${row.modelId} ${field}`).toMatch(decimal);
        }
      }
    }
  });

  it('flattens a model as documented (gpt-4o: $2.50/M input, $1.25/M cached, $10/M output)', () => {
    expect(rowsOf('openai', 'gpt-4o')).toEqual([
      expect.objectContaining({
        matchKind: 'catalogue',
        validFrom: '1970-01-01T00:00:00.000Z',
        validTo: null,
        currency: 'USD',
        inputMtok: '2.5',
        cacheReadMtok: '1.25',
        cacheWriteMtok: null,
        outputMtok: '10',
        tierStartTokens: null,
        priceSource: 'genai-prices',
        priceVersion: 'genai-prices@0.1.8',
      }),
    ]);
  });

  it('gives price history as periods (o3: $10/$40 until 2025-06-10, then $2/$8)', () => {
    expect(
      rowsOf('openai', 'o3').map((row) => [row.validFrom, row.validTo, row.inputMtok, row.outputMtok]),
    ).toEqual([
      ['1970-01-01T00:00:00.000Z', '2025-06-10T00:00:00.000Z', '10', '40'],
      ['2025-06-10T00:00:00.000Z', null, '2', '8'],
    ]);
  });

  it('gives context tiers (gemini-2.5-pro: above 200k, $2.50 input, $0.25 cached, $15 output)', () => {
    expect(rowsOf('google', 'gemini-2.5-pro')).toEqual([
      expect.objectContaining({
        inputMtok: '1.25',
        cacheReadMtok: '0.125',
        outputMtok: '10',
        tierStartTokens: 200_000,
        inputMtokTier: '2.5',
        cacheReadMtokTier: '0.25',
        outputMtokTier: '15',
      }),
    ]);
  });

  it('applies discounts, split at their validity, and adds override and self-hosted rows', () => {
    const pricer = createPricer({
      pricesFile: false,
      overrides: {
        version: 'contract',
        prices: [{ provider: 'openai', model: 'ft:gpt-4o-mini:acme:*', input_mtok: 0.3, output_mtok: 1.2 }],
        discounts: [
          { provider: 'anthropic', model: 'claude-sonnet-4-0', percent: 15, valid_from: '2026-01-01' },
        ],
        self_hosted: [
          { model: 'llama-3.1-70b*', input_mtok: 0.2, output_mtok: 0.6 },
          { model: 'qwen*', gpu_hour_usd: 2.5, tokens_per_second: 2500 },
          { model: 'mistral*', gpu_hour_usd: 4 },
        ],
      },
    });
    const withOverrides = exportPriceRows({ pricer });
    // Catalogue claude-sonnet-4-0 $3/M input; 15 % off from 2026-01-01: $2.55/M.
    expect(
      rowsOf('anthropic', 'claude-sonnet-4-0', withOverrides).map((row) => [
        row.validFrom,
        row.validTo,
        row.inputMtok,
        row.priceSource,
        row.priceVersion,
      ]),
    ).toEqual([
      ['1970-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '3', 'genai-prices', 'genai-prices@0.1.8'],
      ['2026-01-01T00:00:00.000Z', null, '2.55', 'override', 'genai-prices@0.1.8+contract'],
    ]);
    expect(rowsOf('openai', 'ft:gpt-4o-mini:acme:*', withOverrides)).toEqual([
      expect.objectContaining({
        matchKind: 'glob',
        inputMtok: '0.3',
        outputMtok: '1.2',
        priceSource: 'override',
      }),
    ]);
    // $2.50/GPU-hour at 2,500 tokens/s = $0.277777777778 per 1M tokens.
    expect(rowsOf('self_hosted', 'qwen*', withOverrides)).toEqual([
      expect.objectContaining({
        inputMtok: '0.277777777778',
        outputMtok: '0.277777777778',
        priceSource: 'self_hosted',
      }),
    ]);
    expect(rowsOf('self_hosted', 'llama-3.1-70b*', withOverrides)).toHaveLength(1);
    // A GPU-hour rate over request duration has no per-token price: JavaScript only.
    expect(rowsOf('self_hosted', 'mistral*', withOverrides)).toEqual([]);
  });
});

describe('exportPriceAliases', () => {
  const aliases = exportPriceAliases({ ...catalogueOnly, providers: ['openai', 'google', 'azure'] });

  it('maps span provider names and catalogue rules to catalogue rows', () => {
    expect(aliases).toEqual(
      expect.arrayContaining([
        {
          provider: 'openai',
          matchKind: 'exact',
          pattern: 'gpt-4o',
          providerId: 'openai',
          modelId: 'gpt-4o',
        },
        {
          provider: 'openai',
          matchKind: 'exact',
          pattern: 'o3-2025-04-16',
          providerId: 'openai',
          modelId: 'o3',
        },
        {
          provider: 'gcp.gemini',
          matchKind: 'prefix',
          pattern: 'gemini-2.5-pro',
          providerId: 'google',
          modelId: 'gemini-2.5-pro',
        },
        {
          provider: 'gcp.vertex_ai',
          matchKind: 'prefix',
          pattern: 'gemini-2.5-pro',
          providerId: 'google',
          modelId: 'gemini-2.5-pro',
        },
        // Azure serves OpenAI's models through the catalogue's fallback.
        {
          provider: 'azure.ai.openai',
          matchKind: 'exact',
          pattern: 'gpt-4o',
          providerId: 'openai',
          modelId: 'gpt-4o',
        },
      ]),
    );
    const keys = aliases.map((alias) => `${alias.provider}|${alias.matchKind}|${alias.pattern}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('an override replaces the catalogue row and alias of the same model', () => {
    const options = {
      pricesFile: false as const,
      providers: ['openai'],
      overrides: { prices: [{ provider: 'openai', model: 'gpt-4o', input_mtok: 1 }] },
    };
    expect(rowsOf('openai', 'gpt-4o', exportPriceRows(options))).toEqual([
      expect.objectContaining({
        matchKind: 'exact',
        inputMtok: '1',
        outputMtok: null,
        priceSource: 'override',
      }),
    ]);
    const gpt4o = exportPriceAliases(options).filter(
      (alias) => alias.provider === 'openai' && alias.pattern === 'gpt-4o',
    );
    expect(gpt4o).toEqual([
      { provider: 'openai', matchKind: 'exact', pattern: 'gpt-4o', providerId: 'openai', modelId: 'gpt-4o' },
    ]);
  });
});

describe('what SQL cannot price correctly', () => {
  it('exports no price row for a model whose catalogue price depends on the time of day', () => {
    const deepseek = findProvider({ providerId: 'deepseek' })!;
    const timeOfDay = deepseek.models.filter(
      (model) =>
        Array.isArray(model.prices) &&
        model.prices.some((entry) => entry.constraint?.type === 'time_of_date'),
    );
    // The pinned catalogue's DeepSeek peak/off-peak models; the assertion below is about each of them.
    expect(timeOfDay.map((model) => model.id)).toContain('deepseek-chat');
    for (const model of timeOfDay) expect(rowsOf('deepseek', model.id), model.id).toEqual([]);
    // A DeepSeek model with one price keeps its row.
    const plain = deepseek.models.find((model) => !Array.isArray(model.prices))!;
    expect(rowsOf('deepseek', plain.id).length).toBeGreaterThan(0);
  });
});

describe('exportPriceAliases: contains rules', () => {
  const aliases = exportPriceAliases({ ...catalogueOnly, providers: ['aws'] });
  const contains = aliases.filter(
    (alias) => alias.provider === 'aws.bedrock' && alias.matchKind === 'contains',
  );

  it('exports the catalogue contains rules of Bedrock, ranked in catalogue model order', () => {
    const bedrock = findProvider({ providerId: 'aws' })!;
    const order = new Map(bedrock.models.map((model, index) => [model.id, index + 1]));
    expect(contains.length).toBeGreaterThan(50);
    for (const alias of contains) expect(alias.rank, alias.pattern).toBe(order.get(alias.modelId));
    const ranks = contains.map((alias) => alias.rank!);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('resolves a cross-region Bedrock id through its first matching contains rule, as the catalogue does', () => {
    const id = 'us.anthropic.claude-3-5-sonnet-20240620-v1:0';
    const rule = contains.find((alias) => id.includes(alias.pattern));
    const pricer = createPricer(catalogueOnly);
    const js = pricer.priceUsage({
      provider: 'aws.bedrock',
      model: id,
      usage: {
        inputTokens: 10,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        requests: 1,
      },
      timestamp: new Date('2026-11-02T10:00:00Z'),
    });
    expect(js.modelId).toBeDefined();
    expect(rule?.modelId).toBe(js.modelId);
  });
});
