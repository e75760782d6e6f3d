import { diag } from '@opentelemetry/api';
import { findProvider } from '@pydantic/genai-prices';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPricer } from '../../src/pricing/index.js';
import {
  NO_HOST_MAPPINGS,
  parseHostMappings,
  parseHostMappingsEnv,
} from '../../src/providers/host-mappings.js';
import { isOpenWeightModel, routeCall } from '../../src/providers/routing.js';
import type { TokenUsage } from '../../src/types.js';

afterEach(() => vi.restoreAllMocks());

const ledger = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

describe('routeCall: the host decides only when it is a provider API', () => {
  it.each([
    // [provider on the span, server, model] -> [provider priced, model looked up, match]
    ['openai', 'api.openai.com', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 'host'],
    ['openai', 'api.groq.com', 'gpt-oss-120b', 'groq', 'gpt-oss-120b', 'host'],
    ['openai', 'my-res.openai.azure.com', 'gpt-4o', 'azure.ai.openai', 'gpt-4o', 'host'],
    ['openai', 'api.novita.ai', 'deepseek/deepseek-r1', 'novita', 'deepseek/deepseek-r1', 'host'],
    // Unknown hosts: a private gateway, loopback, a public proxy.
    ['self_hosted', '10.0.0.5', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 'model_id'],
    ['self_hosted', '127.0.0.1', 'claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5', 'model_id'],
    ['openai', 'llm-proxy.example.com', 'openai/gpt-4.1', 'openai', 'gpt-4.1', 'model_id_prefixed'],
    [
      'self_hosted',
      'litellm.svc',
      'anthropic/claude-sonnet-4-5',
      'anthropic',
      'claude-sonnet-4-5',
      'model_id_prefixed',
    ],
    ['openai', 'api.portkey.ai', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 'model_id'],
    // Open weights many hosts serve: no single list price.
    ['self_hosted', '10.0.0.5', 'meta-llama/Llama-3.1-8B-Instruct', 'self_hosted', undefined, 'open_weight'],
    ['self_hosted', '127.0.0.1', 'gpt-oss-120b', 'self_hosted', 'gpt-oss-120b', 'open_weight'],
    ['openai', 'gw.example.com', 'qwen/qwen3-32b', 'self_hosted', 'qwen/qwen3-32b', 'open_weight'],
    ['self_hosted', '10.0.0.5', 'acme-finetune-7', 'self_hosted', 'acme-finetune-7', 'unknown_model'],
    // An SDK that speaks one provider's protocol calls that provider through any proxy.
    ['anthropic', 'gw.example.com', 'claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5', 'provider_name'],
    ['azure.ai.openai', '10.1.2.3', 'gpt-4o', 'azure.ai.openai', 'gpt-4o', 'provider_name'],
  ])(
    '%s via %s, %s: %s (%s, %s)',
    (provider, serverAddress, model, expectedProvider, expectedModel, match) => {
      const route = routeCall({ provider, serverAddress, model }, NO_HOST_MAPPINGS);
      expect(route).toEqual({ provider: expectedProvider, model: expectedModel ?? model, match });
    },
  );

  it('without a server, the provider name is taken at its word (as the SQL price table does)', () => {
    for (const [provider, model] of [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-oss-20b'],
      ['self_hosted', 'gpt-4o'],
      ['groq', 'llama-3.1-8b-instant'],
    ]) {
      expect(routeCall({ provider: provider!, model: model! }, NO_HOST_MAPPINGS)).toEqual({
        provider,
        model,
        match: 'provider_name',
      });
    }
  });

  it('a user mapping overrides everything, by host:port first, then host', () => {
    const { mappings, errors } = parseHostMappings({
      'llm-gw.internal': 'openai',
      'vllm.internal:8000': 'self_hosted',
      'API.OpenAI.com': 'self_hosted',
    });
    expect(errors).toEqual([]);
    expect(
      routeCall(
        { provider: 'self_hosted', serverAddress: 'llm-gw.internal', model: 'llama-3.1-70b' },
        mappings,
      ),
    ).toEqual({
      provider: 'openai',
      model: 'llama-3.1-70b',
      match: 'user_host_mapping',
    });
    const vllm = { provider: 'self_hosted', serverAddress: 'vllm.internal', model: 'gpt-4o-mini' };
    expect(routeCall({ ...vllm, serverPort: 8000 }, mappings).provider).toBe('self_hosted');
    expect(routeCall({ ...vllm, serverPort: 8000 }, mappings).match).toBe('user_host_mapping');
    // Another port of the same host was not declared: the model decides.
    expect(routeCall({ ...vllm, serverPort: 9000 }, mappings)).toMatchObject({
      provider: 'openai',
      match: 'model_id',
    });
    expect(
      routeCall({ provider: 'openai', serverAddress: 'api.openai.com', model: 'gpt-4o' }, mappings).provider,
    ).toBe('self_hosted');
  });

  it('a host mapped to a gateway without its own prices routes by model id', () => {
    const { mappings } = parseHostMappings({ 'proxy.corp': 'litellm' });
    expect(
      routeCall({ provider: 'openai', serverAddress: 'proxy.corp', model: 'openai/gpt-4o' }, mappings),
    ).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      match: 'model_id_prefixed',
    });
  });

  it('open-weight families match the bare, lower-case id and not provider API names', () => {
    for (const model of [
      'llama-3.3-70b',
      'codellama-13b',
      'qwen2.5-72b-instruct',
      'qwq-32b',
      'gemma-3-27b-it',
      'deepseek-r1',
      'mixtral-8x7b-instruct',
      'phi-4',
      'gpt-oss-20b',
    ]) {
      expect(isOpenWeightModel(model), model).toBe(true);
    }
    for (const model of [
      'deepseek-chat',
      'deepseek-reasoner',
      'open-mistral-nemo',
      'gpt-4o',
      'claude-sonnet-4-5',
      'gemini-2.5-pro',
    ]) {
      expect(isOpenWeightModel(model), model).toBe(false);
    }
  });
});

describe('host mappings as the user writes them', () => {
  it('rejects unknown providers and malformed hosts, and keeps the rest', () => {
    const { mappings, errors } = parseHostMappings({
      'ok.internal': 'anthropic',
      'bad host': 'openai',
      'x.internal': 'nobody',
    });
    expect(mappings.size).toBe(1);
    expect(mappings.lookup('OK.internal')).toBe('anthropic');
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toContain('unknown provider "nobody"');
    expect(errors.join('\n')).toContain('"bad host"');
    expect(parseHostMappings(['openai']).errors).toEqual([
      'hosts: expected an object of host (or host:port) to provider',
    ]);
  });

  it('reads AICOST_HOSTS pairs', () => {
    const { mappings, errors } = parseHostMappingsEnv(
      'llm-gw.internal=openai, vllm.internal:8000=self_hosted,,oops,[::1]:8080=azure',
    );
    expect(errors).toEqual(['AICOST_HOSTS: expected host=provider, got "oops"']);
    expect(mappings.lookup('llm-gw.internal', 443)).toBe('openai');
    expect(mappings.lookup('vllm.internal', 8000)).toBe('self_hosted');
    expect(mappings.lookup('vllm.internal', 80)).toBeUndefined();
    expect(mappings.lookup('[::1]', 8080)).toBe('azure.ai.openai');
  });
});

/** A catalogue price per million tokens as an exact fraction: `[units, 10^scale]`. */
function cataloguePrice(
  providerId: string,
  modelId: string,
  key: 'input_mtok' | 'output_mtok',
): [bigint, bigint] {
  const model = findProvider({ providerId })!.models.find((candidate) => candidate.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices.at(-1)!.prices : model.prices;
  const text = String(prices[key]);
  const [whole, fraction = ''] = text.split('.');
  return [BigInt(whole! + fraction), 10n ** BigInt(fraction.length)];
}

/** tokens x price per million, in nano-USD, exact (the catalogue prices here divide evenly). */
function nanos(tokens: number, [units, scale]: [bigint, bigint]): bigint {
  const numerator = BigInt(tokens) * units * 1_000_000_000n;
  const denominator = scale * 1_000_000n;
  expect(numerator % denominator).toBe(0n);
  return numerator / denominator;
}

describe('pricing by route', () => {
  const usage = ledger({ inputTokens: 1000, outputTokens: 200 });

  it('prices gpt-4o-mini through a private gateway at OpenAI list price, said to be matched by model id', () => {
    const book = createPricer({ pricesFile: false, hosts: {} });
    const result = book.priceUsage({
      provider: 'self_hosted',
      serverAddress: '10.0.0.5',
      serverPort: 80,
      model: 'gpt-4o-mini',
      usage,
    });
    const expected =
      nanos(1000, cataloguePrice('openai', 'gpt-4o-mini', 'input_mtok')) +
      nanos(200, cataloguePrice('openai', 'gpt-4o-mini', 'output_mtok'));
    expect(result).toMatchObject({
      status: 'priced',
      providerId: 'openai',
      modelId: 'gpt-4o-mini',
      match: 'model_id',
    });
    expect(result.cost?.total).toBe(expected);
  });

  it('prices a declared self-hosted host by the user rate, and says so', () => {
    const book = createPricer({
      pricesFile: false,
      hosts: { 'vllm.internal:8000': 'self_hosted' },
      overrides: { self_hosted: [{ model: '*', input_mtok: '0.2', output_mtok: '0.8' }] },
    });
    const result = book.priceUsage({
      provider: 'self_hosted',
      serverAddress: 'vllm.internal',
      serverPort: 8000,
      model: 'gpt-4o-mini',
      usage,
    });
    // 1000 x 0.2 / 1M + 200 x 0.8 / 1M = 0.0002 + 0.00016
    expect(result).toMatchObject({
      status: 'override',
      priceSource: 'self_hosted',
      match: 'self_hosted_rate',
    });
    expect(result.cost?.total).toBe(360_000n);
  });

  it("prices a self-hosted server's own SDK (Ollama) by the user rate whatever the model is called", () => {
    const book = createPricer({
      pricesFile: false,
      hosts: {},
      overrides: {
        self_hosted: [
          { provider: 'ollama', model: 'llama3.2*', input_mtok: '0.1', output_mtok: '0.4' },
          { model: '*', input_mtok: '0.2', output_mtok: '0.8' },
        ],
      },
    });
    const ollama = { provider: 'ollama', serverAddress: '127.0.0.1', serverPort: 11434, usage };
    // A catalogue name (Mistral's API, Cohere's) served by Ollama is still the user's own model.
    for (const model of ['mistral-large', 'command-r']) {
      const result = book.priceUsage({ ...ollama, model });
      expect(result, model).toMatchObject({ status: 'override', match: 'self_hosted_rate' });
      expect(result.cost?.total, model).toBe(360_000n);
    }
    // A rate naming the server applies before the generic one: 1000 x 0.1 / 1M + 200 x 0.4 / 1M.
    expect(book.priceUsage({ ...ollama, model: 'llama3.2:3b' }).cost?.total).toBe(180_000n);
    expect(
      routeCall({ provider: 'ollama', model: 'gpt-4o', serverAddress: 'gpu-box.lan' }, NO_HOST_MAPPINGS),
    ).toEqual({ provider: 'self_hosted', model: 'gpt-4o', match: 'provider_name' });
    expect(
      createPricer({ pricesFile: false, hosts: {} }).priceUsage({ ...ollama, model: 'qwen3' }),
    ).toMatchObject({
      status: 'unpriced',
      reason: 'self_hosted_no_rate',
    });
  });

  it('leaves an open-weight model on an unknown host self-hosted: unpriced without a rate, with one warning naming the fix', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const book = createPricer({ pricesFile: false, hosts: {} });
    const request = {
      provider: 'self_hosted',
      serverAddress: '10.0.0.5',
      model: 'llama-3.1-70b-instruct',
      usage,
    };
    expect(book.priceUsage(request)).toEqual({
      status: 'unpriced',
      reason: 'self_hosted_no_rate',
      currency: 'USD',
      match: 'open_weight',
    });
    book.priceUsage(request);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('AICOST_HOSTS');
  });

  it('reports bad host mappings given to a price book as override errors', () => {
    vi.spyOn(diag, 'error').mockImplementation(() => {});
    const book = createPricer({ pricesFile: false, hosts: { 'gw.internal': 'nobody' } });
    expect(book.overrideErrors.join('\n')).toContain('unknown provider "nobody"');
  });
});
