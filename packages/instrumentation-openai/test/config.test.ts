/**
 * Configuration: the streamUsage opt-in, content capture, and the provider
 * name for Azure and OpenAI-compatible hosts.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/support/mock-server.js';
import { chatStream, fixture, SDKS, setup } from './setup.js';

const t = await setup({ streamUsage: true });
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
  t.instrumentation.setConfig({ streamUsage: true });
});

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };

describe.each(SDKS)('configuration ($name)', (sdk) => {
  it('streamUsage asks for usage, hides the usage-only chunk from the application, and prices the stream', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    const request = { ...CHAT, stream: true as const };
    const stream = await client.chat.completions.create(request);
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // What the application sees is what the server sends without include_usage.
    expect(chunks).toHaveLength(fixture('chat-stream').chunks.length);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(t.server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(request).toEqual({ ...CHAT, stream: true }); // the caller's object is untouched
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.total']).toBe('0.000008850');
  });

  it('streamUsage leaves an explicit include_usage alone, and then shows the usage chunk', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create({
      ...CHAT,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1).usage.total_tokens).toBe(29);
    expect(chunks.at(-1).choices).toEqual([]);
  });

  it('streamUsage respects include_usage: false', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream'));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create({
      ...CHAT,
      stream: true,
      stream_options: { include_usage: false },
    });
    for await (const _ of stream) {
      // drain
    }
    expect(t.server.requests[0]!.body.stream_options).toEqual({ include_usage: false });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });

  it('AzureOpenAI: provider azure.ai.openai, priced by the served model', async () => {
    t.server.on(
      'POST',
      /\/openai\/deployments\/my-gpt4o-mini\/chat\/completions/,
      json(fixture('chat-completion')),
    );
    const client = new sdk.AzureOpenAI({
      endpoint: 'https://my-resource.openai.azure.com',
      apiKey: 'azure-key',
      apiVersion: '2024-10-21',
      deployment: 'my-gpt4o-mini',
      fetch: t.server.fetch,
    });
    await client.chat.completions.create({ ...CHAT, model: 'my-gpt4o-mini' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'azure.ai.openai',
      'server.address': 'my-resource.openai.azure.com',
      'gen_ai.request.model': 'my-gpt4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    });
    expect(t.server.requests[0]!.path).toContain('api-version=2024-10-21');
  });

  it('AzureOpenAI is recognised by its class even behind a gateway host', async () => {
    t.server.on('POST', /chat\/completions/, json(fixture('chat-completion')));
    const client = new sdk.AzureOpenAI({
      baseURL: `${t.server.url}/openai`,
      apiKey: 'azure-key',
      apiVersion: '2024-10-21',
    });
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.provider.name']).toBe('azure.ai.openai');
  });

  it.each([
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.deepseek.com', 'deepseek'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['http://localhost:11434/v1', 'self_hosted'],
  ])('an OpenAI-compatible host %s is provider %s', async (baseURL, provider) => {
    t.server.on('POST', /chat\/completions$/, json(fixture('chat-completion')));
    const client = t.client(sdk, { baseURL, fetch: t.server.fetch });
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.provider.name']).toBe(provider);
    expect(span!.attributes['server.address']).toBe(new URL(baseURL).hostname);
  });

  it('captures content only when opted in, in the semconv JSON shape', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hello!' },
    ];
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    t.instrumentation.setConfig({ streamUsage: true, captureMessageContent: true });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const [off, on] = await t.otel.waitForSpans(2);
    expect(off!.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(JSON.parse(on!.attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(JSON.parse(on!.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hello!' }] },
    ]);
    expect(JSON.parse(on!.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Hello! How can I assist you today?' }],
        finish_reason: 'stop',
      },
    ]);
  });

  it('AICOST_OPENAI_STREAM_USAGE and OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT turn the options on', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    process.env.AICOST_OPENAI_STREAM_USAGE = 'true';
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      t.instrumentation.setConfig({});
      const stream = await t.client(sdk).chat.completions.create({ ...CHAT, stream: true });
      const chunks: any[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    } finally {
      delete process.env.AICOST_OPENAI_STREAM_USAGE;
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    expect(t.server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(JSON.parse(span!.attributes['gen_ai.output.messages'] as string)[0].parts[0].content).toBe(
      'Hello! How can I help?',
    );
  });

  it('a disabled instrumentation makes no spans', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    t.instrumentation.disable();
    try {
      await t.client(sdk).chat.completions.create(CHAT);
    } finally {
      t.instrumentation.enable();
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(t.otel.spans()).toHaveLength(0);
  });
});
