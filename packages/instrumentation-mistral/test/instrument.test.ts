/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as mistralSdk from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { instrument, MistralInstrumentation } from '../src/index.js';
import { jsonFixture } from './setup.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-mistral',
  instrument,
  Instrumentation: MistralInstrumentation,
  sdkModule: mistralSdk,
  patchedMethod: () => Object.getPrototypeOf(new mistralSdk.Mistral({ apiKey: 'test-key' }).chat).complete,
  lookalikes: [{ Mistral: {} }, { Mistral: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', '/v1/chat/completions', jsonFixture('chat-basic'));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('@mistralai/mistralai/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-mistral',
      attributes: {
        'aicost.cost.status': 'priced',
        'aicost.feature': 'bundled-app',
        'gen_ai.usage.input_tokens': 16,
        'gen_ai.usage.output_tokens': 34,
      },
    });
    expect(run.spans[0]?.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/);
  });
});
