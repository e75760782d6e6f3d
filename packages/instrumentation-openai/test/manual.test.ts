/**
 * instrument(): patching without module hooks (bundlers, edge runtimes).
 * Spans and metrics go to the global providers.
 */

import OpenAI, { AzureOpenAI } from 'openai';
import * as openai6 from 'openai-v6';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness } from '../../../test/support/otel.js';
import { instrument } from '../src/manual.js';
import { fixture } from './setup.js';

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

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('instrument()', () => {
  it('instruments every client of the given class, including existing ones; undo restores the SDK', async () => {
    const existing = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` });
    const original = OpenAI.Chat.Completions.prototype.create;
    const undo = instrument(OpenAI);
    expect(OpenAI.Chat.Completions.prototype.create).not.toBe(original);
    await existing.chat.completions.create(CHAT);
    const [span] = await otel.waitForSpans(1);
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.instrumentationScope.name).toBe('@aicost/instrumentation-openai');
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    undo();
    expect(OpenAI.Chat.Completions.prototype.create).toBe(original);
  });

  it('instrumenting twice (or through a subclass) makes one span per call', async () => {
    const undoA = instrument(OpenAI);
    const undoB = instrument(AzureOpenAI);
    await new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    await new Promise((r) => setTimeout(r, 20));
    expect(otel.spans()).toHaveLength(1);
    undoB();
    undoA();
  });

  it('accepts a module namespace (openai 6) and rejects anything else', async () => {
    const undo = instrument(openai6);
    await new openai6.OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create(CHAT);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.response.id']).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    undo();
    expect(() => instrument({})).toThrow(TypeError);
  });
});
