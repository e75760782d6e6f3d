/**
 * instrument(): patching without module hooks (bundlers, edge runtimes).
 * Spans and metrics go to the global providers.
 */

import { DiagLogLevel, diag } from '@opentelemetry/api';
import OpenAI, { AzureOpenAI } from 'openai';
import * as openai6 from 'openai-v6';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { captureWarnings } from '../../../test/support/hostile-request.js';
import { json, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness } from '../../../test/support/otel.js';
import { instrument } from '../src/manual.js';
import { chatStream, fixture } from './setup.js';

const otel = createOtelHarness();
const server = await startMockServer();
afterAll(async () => {
  await server.close();
  await otel.shutdown();
});
beforeEach(() => {
  otel.reset();
  server.reset();
  server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
});

const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('instrument()', () => {
  it('instruments every client of the given class, including existing ones; undo restores the SDK', async () => {
    const existing = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` });
    const original = OpenAI.Chat.Completions.prototype.create;
    const instrumentation = instrument(OpenAI);
    expect(instrumentation.isEnabled()).toBe(true);
    expect(OpenAI.Chat.Completions.prototype.create).not.toBe(original);
    await existing.chat.completions.create(CHAT);
    const [span] = await otel.waitForSpans(1);
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.instrumentationScope.name).toBe('@aicost/instrumentation-openai');
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    instrumentation.disable();
    expect(instrumentation.isEnabled()).toBe(false);
    expect(OpenAI.Chat.Completions.prototype.create).toBe(original);
  });

  it('enable() after disable() puts the patches back', async () => {
    const instrumentation = instrument(OpenAI);
    instrumentation.disable();
    await new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    await new Promise((r) => setTimeout(r, 20));
    expect(otel.spans()).toHaveLength(0);
    instrumentation.enable();
    await new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    expect(await otel.waitForSpans(1)).toHaveLength(1);
    instrumentation.disable();
  });

  it('instrumenting twice (or through a subclass) makes one span per call', async () => {
    const first = instrument(OpenAI);
    const second = instrument(AzureOpenAI);
    await new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    await new Promise((r) => setTimeout(r, 20));
    expect(otel.spans()).toHaveLength(1);
    second.disable();
    first.disable();
  });

  it('accepts a module namespace (openai 6)', async () => {
    const instrumentation = instrument(openai6);
    await new openai6.OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.response.id']).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    instrumentation.disable();
  });

  it('anything else is left alone with one diag warning, never a throw', () => {
    const warnings: string[] = [];
    diag.setLogger(
      { ...silentLogger, warn: (message: string) => warnings.push(message) },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      for (const notTheSdk of [{}, undefined, null, 42, () => {}]) {
        const instrumentation = instrument(notTheSdk);
        expect(instrumentation.isEnabled()).toBe(false);
        instrumentation.disable();
      }
    } finally {
      diag.disable();
    }
    expect(warnings).toEqual([
      'aicost: @aicost/instrumentation-openai: instrument() expects the openai module or its OpenAI client class; nothing was instrumented',
    ]);
  });

  it('asks api.openai.com for stream usage by default, as the module hooks do, so the stream is priced', async () => {
    server.on('POST', '/v1/chat/completions', (request: { body: any }) =>
      request.body?.stream_options?.include_usage === true
        ? chatStream('chat-stream-include-usage')
        : chatStream('chat-stream'),
    );
    const instrumentation = instrument(OpenAI);
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: 'https://api.openai.com/v1', fetch: server.fetch });
      const chunks: unknown[] = [];
      for await (const chunk of await client.chat.completions.create({ ...CHAT, stream: true })) {
        chunks.push(chunk);
      }
      // The usage-only chunk aicost asked for is not the application's.
      expect(chunks.every((chunk: any) => chunk.choices.length > 0 && chunk.usage === undefined)).toBe(true);
    } finally {
      instrumentation.disable();
    }
    expect(server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000008850',
    });
  });

  it('streamUsage: false turns it off there too', async () => {
    server.on('POST', '/v1/chat/completions', chatStream('chat-stream'));
    const instrumentation = instrument(OpenAI, { streamUsage: false });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: 'https://api.openai.com/v1', fetch: server.fetch });
      for await (const _ of await client.chat.completions.create({ ...CHAT, stream: true })) {
      }
    } finally {
      instrumentation.disable();
    }
    expect(server.requests[0]!.body.stream_options).toBeUndefined();
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });

  it('warns once about a stream that ended without usage on a host it does not ask, as the module hooks do', async () => {
    server.on('POST', '/v1/chat/completions', chatStream('chat-stream'));
    const warnings = captureWarnings();
    const instrumentation = instrument(OpenAI);
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` });
      for await (const _ of await client.chat.completions.create({ ...CHAT, stream: true })) {
      }
      await otel.waitForSpans(1);
      expect(server.requests[0]!.body.stream_options).toBeUndefined();
      expect(warnings.messages().filter((m) => m.includes('without usage'))).toHaveLength(1);
    } finally {
      instrumentation.disable();
      warnings.restore();
    }
  });
});
