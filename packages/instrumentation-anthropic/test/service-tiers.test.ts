/**
 * The tier that served a Message (`usage.service_tier`) prices it: real SDK
 * against the loopback mock. Expected costs are computed here from the
 * catalogue's claude-haiku-4-5 prices and the published rule (Batch: half).
 */
import { findCatalogueModel, pricesAt, resolveCatalogueProvider } from '@aicost/core';
import Anthropic, * as sdk from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, sse, startMockServer } from '../../../test/support/mock-server.js';
import { PACKAGE_NAME } from '../src/index.js';
import { fixture, type MockServer, onlySpan, settle, setUpInstrumentation, type TestBed } from './setup.js';

const MODEL = 'claude-haiku-4-5-20251001';
const REQUEST = {
  model: MODEL,
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'Hello, Claude' }],
};

let bed: TestBed;
let server: MockServer;
let client: Anthropic;

beforeAll(async () => {
  bed = setUpInstrumentation(sdk);
  server = await startMockServer();
  client = new Anthropic({ apiKey: 'test-key', baseURL: server.url });
});
afterEach(() => {
  server.reset();
  bed.harness.reset();
});
afterAll(async () => {
  await server.close();
  await bed.harness.shutdown();
});

/** message-basic (2,095 input, 503 output tokens) served by `tier`. */
function servedBy(tier: string) {
  const message = fixture<any>('message-basic');
  return json({ ...message, usage: { ...message.usage, service_tier: tier } });
}

/** tokens x catalogue price per million x numerator / denominator, in nano-USD. */
function cost(tokens: number, key: 'input_mtok' | 'output_mtok', [num, den]: [bigint, bigint]): bigint {
  const found = findCatalogueModel(resolveCatalogueProvider('anthropic')!, MODEL)!;
  expect(found.model.id).toBe('claude-haiku-4-5');
  const prices = pricesAt(found.model, new Date()) as any;
  const [whole, fraction = ''] = String(prices[key]).split('.');
  const numerator = BigInt(tokens) * BigInt(whole + fraction) * num * 1_000_000_000n;
  const denominator = 10n ** BigInt(fraction.length) * den * 1_000_000n;
  expect(numerator % denominator).toBe(0n);
  return numerator / denominator;
}

const nanosText = (nanos: bigint) => `0.${nanos.toString().padStart(9, '0')}`;

async function span() {
  return onlySpan(await settle(bed.harness, 1), PACKAGE_NAME, `chat ${MODEL}`)!;
}

describe('Anthropic usage.service_tier', () => {
  it.each([
    ['standard', [1n, 1n]],
    ['batch', [1n, 2n]],
  ] as const)('%s is priced by its rule, to the nano', async (tier, factor) => {
    server.on('POST', '/v1/messages', servedBy(tier));
    await client.messages.create(REQUEST);
    const attributes = (await span()).attributes;
    const expected = cost(2095, 'input_mtok', [...factor]) + cost(503, 'output_mtok', [...factor]);
    expect(attributes).toMatchObject({
      'aicost.service_tier': tier,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': nanosText(expected),
    });
  });

  it('priority is served from a capacity commitment: committed, no on-demand cost', async () => {
    server.on('POST', '/v1/messages', servedBy('priority'));
    await client.messages.create(REQUEST);
    const attributes = (await span()).attributes;
    expect(attributes).toMatchObject({
      'aicost.service_tier': 'priority',
      'aicost.cost.status': 'committed',
    });
    expect(attributes['aicost.cost.total']).toBeUndefined();
  });

  it('a tier nobody has a rule for is unpriced / unknown_service_tier', async () => {
    server.on('POST', '/v1/messages', servedBy('express'));
    await client.messages.create(REQUEST);
    const attributes = (await span()).attributes;
    expect(attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'unknown_service_tier',
    });
  });

  it('a stream takes the tier from message_start', async () => {
    const events = fixture<{ events: Array<{ event: string; data: any }> }>('stream-basic').events.map((e) =>
      e.event === 'message_start'
        ? {
            ...e,
            data: {
              ...e.data,
              message: { ...e.data.message, usage: { ...e.data.message.usage, service_tier: 'priority' } },
            },
          }
        : e,
    );
    server.on('POST', '/v1/messages', sse(events));
    const stream = await client.messages.create({ ...REQUEST, stream: true });
    for await (const _ of stream) {
      // drain
    }
    const attributes = (await span()).attributes;
    expect(attributes).toMatchObject({
      'aicost.service_tier': 'priority',
      'aicost.cost.status': 'committed',
    });
  });
});
