/**
 * The demo's mock provider server (packages/cli/src/demo/) against the real
 * SDKs: each SDK must accept its answers (JSON and streams), usage must carry
 * the cached-token fields the demo is meant to show, and the same request must
 * always get the same answer.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockProviders, startMockProviders } from '../../packages/cli/src/demo/mock-providers.js';

let mock: MockProviders;
let openai: OpenAI;
let anthropic: Anthropic;
let gemini: GoogleGenAI;

/** Long enough (about 1,500 tokens at 4 bytes a token) for every provider's caching threshold. */
const LONG_INSTRUCTIONS = 'Follow the support policy and answer politely. '.repeat(130);

beforeAll(async () => {
  mock = await startMockProviders({ streamDelayMs: 0 });
  openai = new OpenAI({ apiKey: 'k', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
});
afterAll(() => mock.close());

describe('OpenAI', () => {
  const messages = [
    { role: 'system' as const, content: LONG_INSTRUCTIONS },
    { role: 'user' as const, content: 'Where is my invoice?' },
  ];

  it('chat completion: cached prompt prefix in 128-token steps, within the budget, same answer twice', async () => {
    const first = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_completion_tokens: 300,
    });
    const second = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_completion_tokens: 300,
    });
    const usage = first.usage!;
    expect(first.model).toBe('gpt-4o-mini-2024-07-18');
    expect(usage.prompt_tokens).toBeGreaterThanOrEqual(1024);
    expect(usage.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect((usage.prompt_tokens_details?.cached_tokens ?? 0) % 128).toBe(0);
    expect(usage.prompt_tokens_details?.cached_tokens).toBeLessThanOrEqual(usage.prompt_tokens);
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(150);
    expect(usage.completion_tokens).toBeLessThanOrEqual(300);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(second).toEqual(first);
  });

  it('a short prompt is not cached', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('stream: the text of the non-streamed answer, usage chunk only with include_usage', async () => {
    const whole = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(usage).toEqual(whole.usage);

    const withoutUsage = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('embeddings: the SDK decodes the base64 vectors it asks for; usage counts every input', async () => {
    const result = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['one doc', 'another doc'],
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(16);
    expect(result.data[0]?.embedding.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('a request without messages is a 400 the SDK raises as BadRequestError', async () => {
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini' } as never)).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });
});

describe('Anthropic', () => {
  const request = (content: string) => ({
    model: 'claude-sonnet-4-6',
    max_tokens: 400,
    system: [
      { type: 'text' as const, text: LONG_INSTRUCTIONS, cache_control: { type: 'ephemeral' as const } },
    ],
    messages: [{ role: 'user' as const, content }],
  });

  it('the cached system prompt is read from or written to the cache, never both; input is the rest', async () => {
    const seen = { read: 0, written: 0 };
    for (let i = 0; i < 12; i++) {
      const message = await anthropic.messages.create(request(`ticket ${i}`));
      const {
        cache_read_input_tokens: read,
        cache_creation_input_tokens: written,
        input_tokens,
      } = message.usage;
      expect((read ?? 0) > 0 !== (written ?? 0) > 0).toBe(true);
      expect((read ?? 0) + (written ?? 0)).toBeGreaterThanOrEqual(1024);
      expect(input_tokens).toBeLessThan(20);
      if (read) seen.read++;
      else seen.written++;
    }
    expect(seen.read).toBeGreaterThan(0);
    expect(seen.written).toBeGreaterThan(0);
  });

  it('stream: finalMessage() equals the non-streamed message', async () => {
    const whole = await anthropic.messages.create(request('refund please'));
    const streamed = await anthropic.messages.stream(request('refund please')).finalMessage();
    expect(streamed.content).toEqual(whole.content);
    expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(streamed.usage.cache_read_input_tokens).toBe(whole.usage.cache_read_input_tokens);
    expect(streamed.model).toBe('claude-sonnet-4-6');
  });
});

describe('Gemini', () => {
  const params = {
    model: 'gemini-2.5-flash',
    contents: 'Summarise the day.',
    config: { systemInstruction: LONG_INSTRUCTIONS, maxOutputTokens: 200 },
  };

  it('generateContent: implicit cache and thoughts in the usage metadata', async () => {
    const response = await gemini.models.generateContent(params);
    const usage = response.usageMetadata!;
    expect(usage.cachedContentTokenCount).toBeGreaterThanOrEqual(1024);
    expect(usage.cachedContentTokenCount).toBeLessThanOrEqual(usage.promptTokenCount ?? 0);
    expect(usage.thoughtsTokenCount).toBeGreaterThan(0);
    expect(usage.totalTokenCount).toBe(
      (usage.promptTokenCount ?? 0) + (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    );
    expect(response.text?.length).toBeGreaterThan(0);
  });

  it('thinkingBudget 0 turns thoughts off', async () => {
    const response = await gemini.models.generateContent({
      ...params,
      config: { ...params.config, thinkingConfig: { thinkingBudget: 0 } },
    });
    expect(response.usageMetadata?.thoughtsTokenCount).toBeUndefined();
  });

  it('generateContentStream: the same text in pieces, the final usage on the last chunk', async () => {
    const whole = await gemini.models.generateContent(params);
    let text = '';
    let chunks = 0;
    let last: unknown;
    for await (const chunk of await gemini.models.generateContentStream(params)) {
      text += chunk.text ?? '';
      chunks++;
      last = chunk.usageMetadata;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(whole.text);
    expect(last).toEqual(whole.usageMetadata);
  });
});

it('counts requests per provider and answers 404 for routes it does not mock', async () => {
  const before = mock.counts();
  const response = await fetch(`${mock.url}/v1/images/generations`, { method: 'POST', body: '{}' });
  expect(response.status).toBe(404);
  expect(mock.counts().unknown).toBe((before.unknown ?? 0) + 1);
  expect(before.openai).toBeGreaterThan(0);
  expect(before.anthropic).toBeGreaterThan(0);
  expect(before.gemini).toBeGreaterThan(0);
});
