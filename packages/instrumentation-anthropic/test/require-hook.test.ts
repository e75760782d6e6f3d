/**
 * Without manuallyInstrument(): the OpenTelemetry `require` hook patches the
 * SDK when the application loads it, as with `registerInstrumentations`.
 */
import { createRequire } from 'node:module';
import { ATTR_AICOST_COST_TOTAL } from '@aicost/core';
import { afterAll, expect, it } from 'vitest';
import { startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness } from '../../../test/support/otel.js';
import { AnthropicInstrumentation, PACKAGE_NAME } from '../src/index.js';
import { messageFixture } from './setup.js';

const harness = createOtelHarness();
const instrumentation = new AnthropicInstrumentation();
instrumentation.setTracerProvider(harness.tracerProvider);
instrumentation.setMeterProvider(harness.meterProvider);

afterAll(() => harness.shutdown());

it('patches the Messages resources for a client that never loads the main module (Bedrock)', () => {
  // Runs first: nothing has loaded @anthropic-ai/sdk yet in this process.
  const { AnthropicBedrock } = createRequire(import.meta.url)('@anthropic-ai/bedrock-sdk');
  const bedrock = new AnthropicBedrock({ awsRegion: 'us-east-1', skipAuth: true });
  expect(bedrock.messages.create.__wrapped).toBe(true);
  expect(bedrock.messages.stream.__wrapped).toBe(true);
});

it('patches @anthropic-ai/sdk as it is required, and unpatches it on disable()', async () => {
  const server = await startMockServer();
  server.on('POST', '/v1/messages', messageFixture('message-basic'));
  const sdk = createRequire(import.meta.url)('@anthropic-ai/sdk');
  const client = new sdk.Anthropic({ apiKey: 'test-key', baseURL: server.url });

  await client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 8, messages: [] });
  const ours = (await harness.waitForSpans(1)).filter((s) => s.instrumentationScope.name === PACKAGE_NAME);
  expect(ours).toHaveLength(1);
  // 2095 × 1,000 + 503 × 5,000 nano-USD (claude-haiku-4-5: $1 / $5 per million tokens)
  expect(ours[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');

  instrumentation.disable();
  expect(sdk.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();
  await server.close();
});
