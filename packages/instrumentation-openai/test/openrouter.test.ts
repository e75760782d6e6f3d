import { providerByName, reportedCostFromBody, reportedCostNanos } from '@aicost/core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/support/mock-server.js';
import { chatStream, fixture, SDKS, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});

const OPENROUTER = 'https://openrouter.ai/api/v1';
const CHAT = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };

describe.each(SDKS)('OpenRouter usage.cost ($name)', (sdk) => {
  it('a reported cost is the call cost: provider_reported, read from its decimal digits and rounded to the nano', async () => {
    t.server.on('POST', '/api/v1/chat/completions', json(fixture('openrouter-chat-completion')));
    const client = t.client(sdk, { baseURL: OPENROUTER, fetch: t.server.fetch });
    await client.chat.completions.create(CHAT);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'aicost.cost.status': 'provider_reported',
      'aicost.price.source': 'provider',
      // usage.cost 0.0000088512345 USD, half up to 9 places
      'aicost.cost.total': '0.000008851',
    });
  });

  it('a stream prices its usage chunk cost, written by JavaScript in exponent form (6e-7)', async () => {
    t.server.on('POST', '/api/v1/chat/completions', chatStream('openrouter-chat-stream'));
    const client = t.client(sdk, { baseURL: OPENROUTER, fetch: t.server.fetch });
    const stream = await client.chat.completions.create({
      ...CHAT,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.total': '0.000000600',
    });
  });
});

/** What a response whose `usage` is this bills, in nano-USD, as the registry's OpenRouter record reads it. */
function providerReportedCost(usage: unknown) {
  const cost = reportedCostFromBody({ usage }, providerByName('openrouter'));
  return cost ? reportedCostNanos(cost) : undefined;
}

describe('the OpenRouter cost in the body (core reportedCostFromBody)', () => {
  it('reads the shortest decimal of the parsed number, exactly, rounded half up to the nano-dollar', () => {
    expect(providerReportedCost({ cost: 0.95 })).toBe(950_000_000n);
    expect(providerReportedCost(JSON.parse('{"cost": 0.000012345}'))).toBe(12_345n);
    expect(providerReportedCost({ cost: 1e-7 })).toBe(100n);
    expect(providerReportedCost({ cost: 5e-10 })).toBe(1n); // half up
    expect(providerReportedCost({ cost: 4.9e-10 })).toBe(0n);
    // 0.1 + 0.2 prints as 0.30000000000000004: its digits, not the binary float, are rounded.
    expect(providerReportedCost({ cost: 0.1 + 0.2 })).toBe(300_000_000n);
    expect(providerReportedCost({ cost: 0 })).toBe(0n);
  });

  it('ignores a missing, negative or non-numeric cost', () => {
    expect(providerReportedCost(undefined)).toBeUndefined();
    expect(providerReportedCost({ prompt_tokens: 3 })).toBeUndefined();
    expect(providerReportedCost({ cost: -0.1 })).toBeUndefined();
    expect(providerReportedCost({ cost: '0.1' })).toBeUndefined();
    expect(providerReportedCost({ cost: Number.NaN })).toBeUndefined();
  });
});
