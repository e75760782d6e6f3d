/**
 * Trusted numbers in real deployments, with the real SDKs against the loopback
 * mock: calls through gateways and proxies priced by model, declared hosts,
 * costs the gateway reports, streams priced by default, served service tiers.
 * Hosts other than loopback appear only in base URLs: the mock's `fetch` sends
 * every request to the loopback server.
 */
import {
  createPricer,
  type PriceOverridesInput,
  resetLogOnce,
  setDefaultPricer,
  setHostMappings,
} from '@aicost/core';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, sseChunks } from '../../../test/support/mock-server.js';
import { chatStream, fixture, SDKS, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});
afterEach(() => {
  setHostMappings(undefined);
  setDefaultPricer(undefined);
  vi.restoreAllMocks();
});

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };

/** The recorded chat completion (19 prompt, 10 completion tokens) with fields replaced. */
const completion = (fields: Record<string, unknown> = {}) => ({ ...fixture('chat-completion'), ...fields });

function withPrices(overrides: PriceOverridesInput): void {
  setDefaultPricer(createPricer({ pricesFile: false, overrides }));
}

describe.each(SDKS)('price by model wherever the call goes ($name)', (sdk) => {
  it.each([
    ['a gateway on a private address', 'http://10.0.0.5/v1', 'self_hosted'],
    ['a gateway on loopback', undefined, 'self_hosted'],
    ['a public proxy', 'https://llm-proxy.example.com/v1', 'openai'],
  ])('gpt-4o-mini through %s is priced at OpenAI list price', async (_, baseURL, hostLabel) => {
    t.server.on('POST', /chat\/completions$/, json(completion()));
    const client = t.client(sdk, baseURL ? { baseURL, fetch: t.server.fetch } : {});
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    // 19 x $0.15/M + 10 x $0.60/M = 0.00000285 + 0.000006
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': hostLabel,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000008850',
      'aicost.price.provider_id': 'openai',
      'aicost.price.model_id': 'gpt-4o-mini',
      'aicost.price.match': 'model_id',
    });
  });

  it.each([
    // 19 x $2/M + 10 x $8/M
    ['openai/gpt-4.1', 'openai', 'gpt-4.1', '0.000118000'],
    // 19 x $3/M + 10 x $15/M
    ['anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5', '0.000207000'],
  ])(
    'a gateway-prefixed id %s is priced at its vendor list price',
    async (model, providerId, modelId, total) => {
      t.server.on('POST', /chat\/completions$/, json(completion({ model })));
      const client = t.client(sdk, { baseURL: 'http://10.0.0.5:4000/v1', fetch: t.server.fetch });
      await client.chat.completions.create({ ...CHAT, model });
      const [span] = await t.otel.waitForSpans(1);
      expect(span!.attributes).toMatchObject({
        'aicost.cost.status': 'priced',
        'aicost.cost.total': total,
        'aicost.price.provider_id': providerId,
        'aicost.price.model_id': modelId,
        'aicost.price.match': 'model_id_prefixed',
      });
    },
  );

  it('an open-weight model on an unknown host is self-hosted: unpriced without a rate', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    t.server.on(
      'POST',
      /chat\/completions$/,
      json(completion({ model: 'meta-llama/llama-3.1-70b-instruct' })),
    );
    const client = t.client(sdk, { baseURL: 'http://10.0.0.5/v1', fetch: t.server.fetch });
    await client.chat.completions.create({ ...CHAT, model: 'meta-llama/llama-3.1-70b-instruct' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'self_hosted_no_rate',
      'aicost.price.match': 'open_weight',
    });
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('a host declared self-hosted is priced by its rate, whatever the model', async () => {
    setHostMappings({ 'vllm.internal:8000': 'self_hosted' });
    withPrices({ self_hosted: [{ model: '*', input_mtok: '0.2', output_mtok: '0.8' }] });
    t.server.on('POST', /chat\/completions$/, json(completion()));
    const client = t.client(sdk, { baseURL: 'http://vllm.internal:8000/v1', fetch: t.server.fetch });
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    // 19 x $0.2/M + 10 x $0.8/M = 0.0000038 + 0.000008
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'self_hosted',
      'server.port': 8000,
      'aicost.cost.status': 'override',
      'aicost.price.source': 'self_hosted',
      'aicost.cost.total': '0.000011800',
      'aicost.price.match': 'self_hosted_rate',
    });
  });

  it('a host mapped to a provider is that provider, even for a model it would not price by id', async () => {
    setHostMappings({ 'llm-gw.internal': 'openai' });
    t.server.on('POST', /chat\/completions$/, json(completion()));
    const client = t.client(sdk, { baseURL: 'https://llm-gw.internal/v1', fetch: t.server.fetch });
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'aicost.cost.total': '0.000008850',
      'aicost.price.match': 'user_host_mapping',
    });
  });
});

describe.each(SDKS)('costs the gateway reports ($name)', (sdk) => {
  it('OpenRouter usage.cost is recorded exactly, with the list price beside it', async () => {
    t.server.on('POST', '/api/v1/chat/completions', json(fixture('openrouter-chat-completion')));
    const client = t.client(sdk, { baseURL: 'https://openrouter.ai/api/v1', fetch: t.server.fetch });
    await client.chat.completions.create({ ...CHAT, model: 'openai/gpt-4o-mini' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.total': '0.000008851',
      'aicost.cost.reported': '0.0000088512345',
      'aicost.cost.reported_source': 'body.usage.cost',
      // OpenRouter's catalogue price for openai/gpt-4o-mini: 19 x $0.15/M + 10 x $0.60/M
      'aicost.cost.computed': '0.000008850',
      'aicost.price.match': 'host',
    });
  });

  it.each([
    ['0.000412', '0.000412', '0.000412000'],
    // Python writes small floats in exponent form.
    ['1.2e-05', '0.000012', '0.000012000'],
  ])('the LiteLLM proxy cost header %s is recorded as %s', async (header, reported, total) => {
    t.server.on(
      'POST',
      /chat\/completions$/,
      json(completion(), { headers: { 'x-litellm-response-cost': header } }),
    );
    const client = t.client(sdk, { baseURL: 'http://litellm.internal:4000/v1', fetch: t.server.fetch });
    const { data } = await client.chat.completions.create(CHAT).withResponse();
    expect(data.choices[0].message.content).toBe('Hello! How can I assist you today?');
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.total': total,
      'aicost.cost.reported': reported,
      'aicost.cost.reported_source': 'header.x-litellm-response-cost',
      'aicost.cost.computed': '0.000008850',
      'aicost.price.match': 'model_id',
    });
  });

  it.each(['-0.5', 'NaN', 'free', '1e300', ''])(
    'a cost header %j that is not a sane amount is ignored: the list price stands',
    async (header) => {
      t.server.on(
        'POST',
        /chat\/completions$/,
        json(completion(), { headers: { 'x-litellm-response-cost': header } }),
      );
      const client = t.client(sdk, { baseURL: 'http://litellm.internal:4000/v1', fetch: t.server.fetch });
      await client.chat.completions.create(CHAT);
      const [span] = await t.otel.waitForSpans(1);
      expect(span!.attributes).toMatchObject({
        'aicost.cost.status': 'priced',
        'aicost.cost.total': '0.000008850',
      });
      expect(span!.attributes['aicost.cost.reported']).toBeUndefined();
    },
  );
});

/** A server that, like OpenAI, adds the usage chunk only when asked. */
function openAIStreamHandler() {
  return (request: { body: any }) =>
    request.body?.stream_options?.include_usage === true
      ? chatStream('chat-stream-include-usage')
      : chatStream('chat-stream');
}

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe.each(SDKS)('streams priced by default ($name)', (sdk) => {
  it('a stream to api.openai.com with default settings is priced, and the app sees the chunks the bare SDK gives', async () => {
    t.server.on('POST', '/v1/chat/completions', openAIStreamHandler());
    const options = { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch };
    const request = { ...CHAT, stream: true as const };

    t.unpatch();
    let bare: unknown[];
    try {
      bare = await drain(await t.client(sdk, options).chat.completions.create(request));
    } finally {
      t.patch();
    }
    const instrumented = await drain(await t.client(sdk, options).chat.completions.create(request));

    expect(instrumented).toEqual(bare);
    expect(t.server.requests[0]!.body.stream_options).toBeUndefined();
    expect(t.server.requests[1]!.body.stream_options).toEqual({ include_usage: true });
    expect(request).toEqual({ ...CHAT, stream: true }); // the caller's object is untouched
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000008850',
    });
  });

  it('Azure OpenAI is asked by default too', async () => {
    t.server.on('POST', /chat\/completions/, openAIStreamHandler());
    const client = new sdk.AzureOpenAI({
      baseURL: 'https://my-resource.openai.azure.com/openai',
      apiKey: 'azure-key',
      apiVersion: '2024-10-21',
      fetch: t.server.fetch,
    });
    await drain(await client.chat.completions.create({ ...CHAT, stream: true }));
    expect(t.server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status']).toBe('priced');
  });

  it('an unknown host is not sent a field it may reject: the stream stays missing_usage, with one warning naming the fix', async () => {
    resetLogOnce();
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    t.server.on('POST', '/v1/chat/completions', openAIStreamHandler());
    const client = t.client(sdk);
    await drain(await client.chat.completions.create({ ...CHAT, stream: true }));
    await drain(await client.chat.completions.create({ ...CHAT, stream: true }));
    expect(t.server.requests.map((r) => r.body.stream_options)).toEqual([undefined, undefined]);
    const spans = await t.otel.waitForSpans(2);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'aicost.cost.status': 'unpriced',
        'aicost.cost.status_reason': 'missing_usage',
      });
    }
    const messages = warn.mock.calls
      .map((call) => String(call[0]))
      .filter((m) => m.includes('without usage'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('AICOST_OPENAI_STREAM_USAGE=true');
    expect(messages[0]).toContain('stream_options: { include_usage: true }');
  });

  it.each([
    ['the streamUsage option', () => t.instrumentation.setConfig({ streamUsage: false })],
    [
      'AICOST_OPENAI_STREAM_USAGE=false',
      () => {
        process.env.AICOST_OPENAI_STREAM_USAGE = 'false';
        t.instrumentation.setConfig({});
      },
    ],
  ])(
    '%s opts out, even for api.openai.com, without the warning meant for streams nobody opted out of',
    async (_, optOut) => {
      resetLogOnce();
      const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
      t.server.on('POST', '/v1/chat/completions', openAIStreamHandler());
      optOut();
      try {
        const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
        await drain(await client.chat.completions.create({ ...CHAT, stream: true }));
      } finally {
        delete process.env.AICOST_OPENAI_STREAM_USAGE;
        t.instrumentation.setConfig({});
      }
      expect(t.server.requests[0]!.body.stream_options).toBeUndefined();
      const [span] = await t.otel.waitForSpans(1);
      expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
      expect(
        warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('without usage')),
      ).toEqual([]);
    },
  );
});

describe.each(SDKS)('service tiers: the served tier prices the call ($name)', (sdk) => {
  const openai = () => t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });

  it('flex is priced at Batch rates (half), and recorded', async () => {
    t.server.on('POST', '/v1/chat/completions', json(completion({ service_tier: 'flex' })));
    await openai().chat.completions.create({ ...CHAT, service_tier: 'flex' });
    const [span] = await t.otel.waitForSpans(1);
    // 19 x $0.075/M + 10 x $0.30/M = 0.000001425 + 0.000003
    expect(span!.attributes).toMatchObject({
      'aicost.service_tier': 'flex',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000004425',
      'aicost.price.version': 'genai-prices@0.1.8+service-tiers@2026-12-07',
    });
  });

  it('flex requested but default served is priced at the standard rate', async () => {
    t.server.on('POST', '/v1/chat/completions', json(completion({ service_tier: 'default' })));
    await openai().chat.completions.create({ ...CHAT, service_tier: 'flex' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.service_tier': 'default',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000008850',
    });
  });

  it('priority has no verified rule: unpriced / unknown_service_tier, never the standard price', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    t.server.on('POST', '/v1/chat/completions', json(completion({ service_tier: 'priority' })));
    await openai().chat.completions.create({ ...CHAT, service_tier: 'priority' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.service_tier': 'priority',
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'unknown_service_tier',
    });
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('scale tier is committed capacity', async () => {
    t.server.on('POST', '/v1/chat/completions', json(completion({ service_tier: 'scale' })));
    await openai().chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.service_tier': 'scale',
      'aicost.cost.status': 'committed',
    });
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('a stream carries its served tier in its chunks', async () => {
    const chunks = fixture('chat-stream-include-usage').chunks.map((chunk: object) => ({
      ...chunk,
      service_tier: 'flex',
    }));
    t.server.on('POST', '/v1/chat/completions', sseChunks(chunks));
    await drain(await openai().chat.completions.create({ ...CHAT, stream: true, service_tier: 'flex' }));
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.service_tier': 'flex',
      'aicost.cost.total': '0.000004425',
    });
  });
});
