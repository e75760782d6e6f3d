import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseNanos } from '../src/money/index.js';
import { createPricer, loadPriceOverridesFile, parsePriceOverrides } from '../src/pricing/index.js';
import type { TokenUsage } from '../src/types.js';

const ledger = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

const usd = (text: string) => parseNanos(text)!;

const directory = mkdtempSync(join(tmpdir(), 'aicost-prices-'));
const writeFile = (name: string, content: string) => {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
};

/** The YAML example of the README's "Overrides file format" section: the documentation must work. */
const readmeExample = () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Overrides file format'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no YAML example');
  return match[1];
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('custom prices', () => {
  it('price a fine-tuned model by glob, from code', () => {
    // Custom price: $0.30/M input, $1.20/M output. 10,000 in + 1,000 out = 0.003 + 0.0012.
    const pricer = createPricer({
      pricesFile: false,
      overrides: {
        version: 'acme-2026',
        prices: [
          { provider: 'openai', model: 'ft:gpt-4o-mini:acme:*', input_mtok: 0.3, output_mtok: '1.20' },
        ],
      },
    });
    const result = pricer.priceUsage({
      provider: 'openai',
      model: 'ft:gpt-4o-mini:acme:support-v3:9abc',
      usage: ledger({ inputTokens: 10_000, outputTokens: 1000 }),
    });
    expect(result).toMatchObject({
      status: 'override',
      priceSource: 'override',
      priceVersion: 'acme-2026',
      providerId: 'openai',
      cost: { input: usd('0.003'), output: usd('0.0012'), total: usd('0.0042') },
    });
  });

  it('apply only within their validity dates', () => {
    // Override $2/M input for gpt-4o in the first half of 2026; catalogue gpt-4o is $2.50/M.
    const pricer = createPricer({
      pricesFile: false,
      overrides: {
        prices: [
          {
            provider: 'openai',
            model: 'gpt-4o',
            valid_from: '2026-01-01',
            valid_to: '2026-07-01',
            input_mtok: 2,
          },
        ],
      },
    });
    const at = (iso: string) =>
      pricer.priceUsage({
        provider: 'openai',
        model: 'gpt-4o',
        usage: ledger({ inputTokens: 1_000_000 }),
        timestamp: new Date(iso),
      });
    expect(at('2025-12-31T23:59:59Z')).toMatchObject({ status: 'priced', cost: { total: usd('2.5') } });
    expect(at('2026-03-01T00:00:00Z')).toMatchObject({ status: 'override', cost: { total: usd('2') } });
    expect(at('2026-07-01T00:00:00Z')).toMatchObject({ status: 'priced', cost: { total: usd('2.5') } });
  });
});

describe('discounts', () => {
  it('take a negotiated percentage off the catalogue price', () => {
    // Catalogue claude-sonnet-4-0: $3/M input, $15/M output. 15 % off: $2.55/M and $12.75/M.
    // 1M input + 100,000 output = 2.55 + 1.275.
    const pricer = createPricer({
      pricesFile: false,
      overrides: {
        version: 'contract',
        discounts: [{ provider: 'anthropic', model: 'claude-*', percent: 15 }],
      },
    });
    const result = pricer.priceUsage({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: ledger({ inputTokens: 1_000_000, outputTokens: 100_000 }),
    });
    expect(result).toMatchObject({
      status: 'override',
      priceSource: 'override',
      priceVersion: 'genai-prices@0.1.8+contract',
      providerId: 'anthropic',
      modelId: 'claude-sonnet-4-0',
      cost: { input: usd('2.55'), output: usd('1.275'), total: usd('3.825') },
    });
    // Another provider is not discounted: catalogue gpt-4o $2.50/M.
    expect(
      pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: ledger({ inputTokens: 1_000_000 }) }),
    ).toMatchObject({ status: 'priced', cost: { total: usd('2.5') } });
  });
});

describe('self-hosted rates', () => {
  const pricer = createPricer({
    pricesFile: false,
    overrides: {
      version: 'gpu-fleet',
      self_hosted: [
        { model: 'llama-3.1-70b*', input_mtok: 0.2, output_mtok: 0.6 },
        { model: 'qwen*', gpu_hour_usd: 2.5, tokens_per_second: 2500 },
        { model: '*', gpu_hour_usd: 4, gpus: 2 },
      ],
    },
  });

  it('price per 1M tokens', () => {
    // $0.20/M input, $0.60/M output: 10,000 in + 2,000 out = 0.002 + 0.0012.
    const result = pricer.priceUsage({
      provider: 'self_hosted',
      model: 'llama-3.1-70b-instruct',
      usage: ledger({ inputTokens: 10_000, outputTokens: 2000 }),
    });
    expect(result).toMatchObject({
      status: 'override',
      priceSource: 'self_hosted',
      priceVersion: 'gpu-fleet',
      cost: { input: usd('0.002'), output: usd('0.0012'), total: usd('0.0032') },
    });
  });

  it('price per GPU-hour with a throughput', () => {
    // $2.50 per GPU-hour at 2,500 tokens/s: 2.5 x 1M / (3600 x 2500) = $0.277777777778/M (12 digits, half up).
    // 6,000 input tokens: 1,666,666.666668 nano -> 1,666,667; 3,000 output: 833,333.333334 -> 833,333.
    // Total 2,500,000 nano = $0.0025, which is 9,000 tokens / 2,500 per s = 3.6 s of a $2.50/h GPU.
    const result = pricer.priceUsage({
      provider: 'self_hosted',
      model: 'qwen2.5-72b',
      usage: ledger({ inputTokens: 6000, outputTokens: 3000 }),
    });
    expect(result).toMatchObject({
      status: 'estimated',
      reason: 'self_hosted_estimate',
      priceSource: 'self_hosted',
      cost: { input: 1_666_667n, output: 833_333n, total: usd('0.0025') },
    });
  });

  it('price per GPU-hour over the request duration', () => {
    // $4 per GPU-hour x 2 GPUs x 1.8 s / 3600 = $0.004.
    const usage = ledger({ inputTokens: 100, outputTokens: 100 });
    expect(
      pricer.priceUsage({ provider: 'self_hosted', model: 'mistral-7b', usage, durationSeconds: 1.8 }),
    ).toMatchObject({
      status: 'estimated',
      cost: { other: usd('0.004'), total: usd('0.004') },
    });
    expect(pricer.priceUsage({ provider: 'self_hosted', model: 'mistral-7b', usage })).toMatchObject({
      status: 'unpriced',
      reason: 'missing_usage',
    });
  });
});

describe('the overrides file', () => {
  it('loads the README example from AICOST_PRICES_FILE (YAML) and applies it', () => {
    const path = writeFile('prices.yaml', readmeExample());
    const pricer = createPricer({ env: { AICOST_PRICES_FILE: path } });
    expect(pricer.overrideErrors).toEqual([]);
    expect(pricer.overrides.version).toBe('acme-2026-q1');
    // Example: bedrock 12.5 % off. Catalogue aws Claude 3.7 Sonnet $3/M input -> $2.625/M.
    expect(
      pricer.priceUsage({
        provider: 'aws.bedrock',
        model: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        usage: ledger({ inputTokens: 1_000_000 }),
      }),
    ).toMatchObject({ status: 'override', cost: { total: usd('2.625') } });
    // Example: custom claude-sonnet-4-0 price $2.70/M input from 2026-01-01.
    expect(
      pricer.priceUsage({
        provider: 'anthropic',
        model: 'claude-sonnet-4-0',
        usage: ledger({ inputTokens: 1_000_000 }),
        timestamp: new Date('2026-02-01T00:00:00Z'),
      }),
    ).toMatchObject({ status: 'override', priceVersion: 'acme-2026-q1', cost: { total: usd('2.7') } });
  });

  it('reads JSON too, and code overrides win over the file', () => {
    const path = writeFile(
      'prices.json',
      JSON.stringify({ prices: [{ provider: 'openai', model: 'gpt-4o', input_mtok: 1 }] }),
    );
    const fileOnly = createPricer({ pricesFile: path });
    const usage = ledger({ inputTokens: 1_000_000 });
    expect(fileOnly.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).cost?.total).toBe(usd('1'));
    const both = createPricer({
      pricesFile: path,
      overrides: { prices: [{ provider: 'openai', model: 'gpt-4o', input_mtok: 0.5 }] },
    });
    expect(both.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).cost?.total).toBe(usd('0.5'));
  });

  it('a bad file is logged with the bad fields named, ignored, and never crashes', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const path = writeFile(
      'bad.yaml',
      [
        'prices:',
        '  - provider: openai',
        '    model: gpt-4o',
        '    input_mtok: abc',
        'discounts:',
        '  - provider: anthropic',
        '    percnt: 10',
        'self_hosted:',
        '  - model: llama',
        '    input_mtok: 0.1',
        '    gpu_hour_usd: 2',
      ].join('\n'),
    );
    const pricer = createPricer({ pricesFile: path });
    const messages = error.mock.calls.map((call) => String(call[0]));
    expect(messages.some((message) => message.includes('prices[0].input_mtok'))).toBe(true);
    expect(messages.some((message) => message.includes('discounts[0].percnt: unknown field'))).toBe(true);
    expect(messages.some((message) => message.includes('discounts[0].percent'))).toBe(true);
    expect(messages.some((message) => message.includes('self_hosted[0]: give either token prices'))).toBe(
      true,
    );
    // Ignored as a whole: the catalogue prices gpt-4o at $2.50/M.
    expect(
      pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: ledger({ inputTokens: 1_000_000 }) }),
    ).toMatchObject({ status: 'priced', cost: { total: usd('2.5') } });
  });

  it('a file that is not YAML, or not there, is an error, not an exception', () => {
    vi.spyOn(diag, 'error').mockImplementation(() => {});
    const broken = loadPriceOverridesFile(writeFile('broken.yaml', 'prices: [ { model: "x", input_mtok: 1 '));
    expect(broken.ok).toBe(false);
    expect(broken.ok ? [] : broken.errors[0]).toContain('not valid JSON or YAML');
    const missing = loadPriceOverridesFile(join(directory, 'absent.yaml'));
    expect(missing.ok ? [] : missing.errors[0]).toContain('cannot read the file');
    expect(() => createPricer({ pricesFile: join(directory, 'absent.yaml') })).not.toThrow();
  });

  it('validation names each bad field', () => {
    const result = parsePriceOverrides({
      prices: [{ model: '', output_mtok: -1 }, 'nope'],
      discounts: [{ percent: 150 }],
      self_hosted: [{ gpu_hour_usd: 2, tokens_per_second: 0 }],
      extra: true,
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual(
      expect.arrayContaining([
        'extra: unknown field',
        'prices[0].output_mtok: expected a non-negative decimal number or { base, tiers: [{ start, price }] }, got -1',
        'prices[0].model: expected a non-empty string, got ""',
        'prices[1]: expected an object, got "nope"',
        'discounts[0].percent: expected a percentage from 0 to 100, got 150',
        'self_hosted[0].tokens_per_second: must be greater than 0, got 0',
      ]),
    );
  });
});
