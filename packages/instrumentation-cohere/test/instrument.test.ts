/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as cohere from 'cohere-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { CohereInstrumentation, instrument } from '../src/index.js';
import { jsonFixture } from './setup.js';

/** The prototype that defines the v1 client's internal `__chat`, which instrument() wraps. */
function chatOwner(): Record<string, unknown> {
  let prototype = cohere.CohereClient.prototype as object;
  while (!Object.hasOwn(prototype, '__chat')) prototype = Object.getPrototypeOf(prototype);
  return prototype as Record<string, unknown>;
}

describeInstrumentContract({
  packageName: '@aicost/instrumentation-cohere',
  instrument,
  Instrumentation: CohereInstrumentation,
  sdkModule: cohere,
  patchedMethod: () => chatOwner().__chat,
  lookalikes: [{ CohereClient: {} }, { CohereClient: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('cohere-ai/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-cohere',
      attributes: {
        'aicost.cost.status': 'priced',
        'aicost.feature': 'bundled-app',
        // Billed units (17), not the 215 tokens the model saw: what Cohere charges for.
        'gen_ai.usage.input_tokens': 17,
        'gen_ai.usage.output_tokens': 12,
      },
    });
    expect(run.spans[0]?.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/);
  });
});
