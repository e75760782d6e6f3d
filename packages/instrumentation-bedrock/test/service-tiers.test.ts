/**
 * Bedrock's `serviceTier` in a Converse response is the tier that served the
 * call: real @aws-sdk/client-bedrock-runtime against the loopback mock.
 */
import * as bedrock from '@aws-sdk/client-bedrock-runtime';
import { type BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../../../test/support/mock-server.js';
import { PACKAGE_NAME } from '../src/index.js';
import {
  awsJson,
  bedrockClient,
  fixture,
  type MockServer,
  onlySpan,
  ROUTES,
  settle,
  setUpInstrumentation,
  type TestBed,
} from './setup.js';

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';

let bed: TestBed;
let server: MockServer;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  bed = setUpInstrumentation(bedrock);
  server = await startMockServer();
  client = bedrockClient(server);
});
afterEach(() => {
  server.reset();
  bed.harness.reset();
});
afterAll(async () => {
  client.destroy();
  await server.close();
  await bed.harness.shutdown();
});

async function servedBy(type: string) {
  server.on(
    'POST',
    ROUTES.converse,
    awsJson({ ...fixture<object>('converse-basic'), serviceTier: { type } }),
  );
  await client.send(
    new ConverseCommand({
      modelId: HAIKU_3,
      messages: [{ role: 'user', content: [{ text: 'Hello there' }] }],
    }),
  );
  return onlySpan(await settle(bed.harness, 1), PACKAGE_NAME, `chat ${HAIKU_3}`).attributes;
}

describe('Bedrock serviceTier', () => {
  it('default is the standard price', async () => {
    // claude-3-haiku on Bedrock: 30 x $0.25/M + 628 x $1.25/M
    expect(await servedBy('default')).toMatchObject({
      'aicost.service_tier': 'default',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000792500',
    });
  });

  it('reserved is committed capacity', async () => {
    const attributes = await servedBy('reserved');
    expect(attributes).toMatchObject({
      'aicost.service_tier': 'reserved',
      'aicost.cost.status': 'committed',
    });
    expect(attributes['aicost.cost.total']).toBeUndefined();
  });

  it.each(['flex', 'priority'])('%s has no published rate: unpriced / unknown_service_tier', async (tier) => {
    const attributes = await servedBy(tier);
    expect(attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'unknown_service_tier',
    });
  });
});
