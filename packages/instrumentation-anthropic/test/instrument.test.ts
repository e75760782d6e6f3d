/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the same contract in every aicost instrumentation (returns the
 * instrumentation, `disable()` undoes, a bad argument warns once and never
 * throws), proven in a real esbuild bundle run without hooks.
 */
import * as anthropicSdk from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { AnthropicInstrumentation, instrument } from '../src/index.js';
import { messageFixture } from './setup.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/messages', messageFixture('message-basic'));
});
afterAll(() => server.close());

describeInstrumentContract({
  packageName: '@aicost/instrumentation-anthropic',
  instrument,
  Instrumentation: AnthropicInstrumentation,
  sdkModule: anthropicSdk,
  patchedMethod: () => anthropicSdk.Anthropic.Messages.prototype.create,
  lookalikes: [{ Anthropic: {} }, class Anthropic {}],
});

describe('a bundled application without module hooks', () => {
  // Hand-derived from Anthropic's Claude Haiku 4.5 list price ($1 input, $5 output per million):
  // the fixture's 2,095 input and 503 output tokens cost 2,095 x 1 + 503 x 5 = 4,610 micro-dollars.
  const COST = '0.004610000';

  it('gets one priced, attributed span per call from instrument(); after disable() only the SDK traces', async () => {
    const before = server.requests.length;
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('message msg_');
    expect(server.requests.length - before).toBe(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('@anthropic-ai/sdk/'))).toBe(true);
    // The instrumented call has one span, ours (the SDK's own tracing is suppressed under it).
    // After disable() the SDK traces itself again: the second call has the SDK's span only.
    expect(run.spans.map((span) => `${span.scope}: ${span.name}`)).toEqual([
      '@aicost/instrumentation-anthropic: chat claude-haiku-4-5',
      'com.anthropic.sdk.typescript: anthropic.messages.create',
    ]);
    const priced = run.spans.filter((span) => span.attributes['aicost.cost.status'] === 'priced');
    expect(priced).toHaveLength(2);
    expect(priced[0]).toMatchObject({
      name: 'chat claude-haiku-4-5',
      scope: '@aicost/instrumentation-anthropic',
      attributes: {
        'aicost.cost.status': 'priced',
        'aicost.cost.total': COST,
        'aicost.feature': 'bundled-app',
        'gen_ai.usage.output_tokens': 503,
      },
    });
    expect(priced[1]?.attributes['aicost.cost.total']).toBe(COST);
    expect(priced[1]?.attributes['aicost.feature']).toBeUndefined();
  });
});
