/**
 * With OpenTelemetry's own AWS SDK instrumentation (part of
 * auto-instrumentations-node) in the same process: it makes a GenAI span of
 * its own for every Bedrock call. One call must still be priced once.
 * Both instrumentations hook the SDK as it is required, as in an application.
 */
import { createRequire } from 'node:module';
import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_TOTAL,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  METRIC_AICOST_COST,
} from '@aicost/core';
import { afterAll, expect, it } from 'vitest';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import { eventStream, json, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, pointsMatching } from '../../../test/support/otel.js';
import { BedrockInstrumentation, PACKAGE_NAME } from '../src/index.js';

const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));
const require = createRequire(import.meta.url);
const { AwsInstrumentation } = require('@opentelemetry/instrumentation-aws-sdk');
const harness = createOtelHarness();
const awsSdk = new AwsInstrumentation();
const ours = new BedrockInstrumentation();
for (const instrumentation of [awsSdk, ours]) {
  instrumentation.setTracerProvider(harness.tracerProvider);
  instrumentation.setMeterProvider(harness.meterProvider);
}

afterAll(() => harness.shutdown());

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const REQUEST = { modelId: HAIKU_3, messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] };

it('Converse and ConverseStream: the AWS SDK span nests in ours, and only ours is priced', async () => {
  const server = await startMockServer();
  server.on('POST', /\/converse$/, json(fixture('converse-basic')));
  server.on('POST', /\/converse-stream$/, eventStream(fixture('converse-stream-tool-use').events));
  const sdk = require('@aws-sdk/client-bedrock-runtime');
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  const client = new sdk.BedrockRuntimeClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler(),
  });

  await client.send(new sdk.ConverseCommand(REQUEST));
  const { stream } = await client.send(new sdk.ConverseStreamCommand(REQUEST));
  for await (const _ of stream) {
    // drain
  }
  const spans = await harness.waitForSpans(4);
  await new Promise((resolve) => setTimeout(resolve, 20));

  const aicost = spans.filter((s) => s.instrumentationScope.name === PACKAGE_NAME);
  const theirs = spans.filter(
    (s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-aws-sdk',
  );
  expect(aicost).toHaveLength(2);
  expect(theirs).toHaveLength(2);
  // Theirs is a GenAI span too: without care the call would be priced twice.
  for (const span of theirs) {
    expect(span.attributes[ATTR_GEN_AI_OPERATION_NAME]).toBe('chat');
    expect(span.attributes[ATTR_GEN_AI_REQUEST_MODEL]).toBe(HAIKU_3);
    expect(aicost.map((s) => s.spanContext().spanId)).toContain(span.parentSpanContext?.spanId);
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  }
  // 30 × 250 + 628 × 1,250 and 375 × 250 + 56 × 1,250 nano-USD (anthropic.claude-3-haiku: $0.25 / $1.25 per million)
  expect(aicost.map((s) => s.attributes[ATTR_AICOST_COST_TOTAL])).toEqual(['0.000792500', '0.000163750']);
  // The cost metric counts each call once: 0.0007925 + 0.00016375 USD.
  const cost = pointsMatching<number>(await harness.metric(METRIC_AICOST_COST));
  expect(cost.reduce((total, point) => total + point.value, 0)).toBeCloseTo(0.00095625, 12);

  // Ours off: theirs keeps working (patching ours in and out never unwraps theirs).
  ours.disable();
  harness.reset();
  await client.send(new sdk.ConverseCommand(REQUEST));
  const after = await harness.waitForSpans(1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(harness.spans().map((s) => s.instrumentationScope.name)).toEqual([
    '@opentelemetry/instrumentation-aws-sdk',
  ]);
  // Alone, their span is a foreign GenAI call: the cost processor prices it.
  expect(after[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000792500');

  client.destroy();
  await server.close();
});
