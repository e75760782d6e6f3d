/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { BedrockInstrumentation, instrument } from '../src/index.js';
import { awsJson, fixture, ROUTES } from './setup.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-bedrock',
  instrument,
  Instrumentation: BedrockInstrumentation,
  sdkModule: bedrockRuntime,
  patchedMethod: () => bedrockRuntime.BedrockRuntimeClient.prototype.send,
  lookalikes: [{ BedrockRuntimeClient: {} }, { BedrockRuntimeClient: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('@aws-sdk/client-bedrock-runtime/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-bedrock',
      attributes: {
        'aicost.cost.status': 'priced',
        'aicost.feature': 'bundled-app',
        'gen_ai.usage.input_tokens': 30,
        'gen_ai.usage.output_tokens': 628,
      },
    });
    expect(run.spans[0]?.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/);
  });
});
