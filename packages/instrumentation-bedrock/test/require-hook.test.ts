/**
 * Without manuallyInstrument(): the OpenTelemetry `require` hook patches the
 * SDK when the application loads it, as with `registerInstrumentations`.
 * Nothing in this file loads @aws-sdk/client-bedrock-runtime before the hook is set.
 */
import { createRequire } from 'node:module';
import { ATTR_AICOST_COST_TOTAL } from '@aicost/core';
import { afterAll, expect, it } from 'vitest';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import { json, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness } from '../../../test/support/otel.js';
import { BedrockInstrumentation, instrument, PACKAGE_NAME } from '../src/index.js';

const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));
const harness = createOtelHarness();
const instrumentation = new BedrockInstrumentation();
instrumentation.setTracerProvider(harness.tracerProvider);
instrumentation.setMeterProvider(harness.meterProvider);

afterAll(() => harness.shutdown());

const require = createRequire(import.meta.url);
const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const REQUEST = { modelId: HAIKU_3, messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] };

it('patches BedrockRuntimeClient as it is required; a second instrument() does not double the spans; disable() unpatches', async () => {
  const server = await startMockServer();
  server.on('POST', /\/converse$/, json(fixture('converse-basic')));
  const sdk = require('@aws-sdk/client-bedrock-runtime');
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  expect(sdk.BedrockRuntimeClient.prototype.send.__wrapped).toBe(true);
  const second = instrument(sdk, { enabled: true });
  const client = new sdk.BedrockRuntimeClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler(),
  });

  await client.send(new sdk.ConverseCommand(REQUEST));
  await harness.waitForSpans(1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const ours = harness.spans().filter((s) => s.instrumentationScope.name === PACKAGE_NAME);
  expect(ours).toHaveLength(1);
  // 30 × 250 + 628 × 1,250 nano-USD (anthropic.claude-3-haiku on Bedrock: $0.25 / $1.25 per million tokens)
  expect(ours[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000792500');

  instrumentation.disable();
  second.disable();
  expect(sdk.BedrockRuntimeClient.prototype.send.__wrapped).toBeUndefined();
  harness.reset();
  await client.send(new sdk.ConverseCommand(REQUEST));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(harness.spans()).toHaveLength(0);
  client.destroy();
  await server.close();
});
