/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as openrouter from '@openrouter/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { instrument, OpenRouterInstrumentation } from '../src/index.js';
import { API, jsonFixture } from './setup.js';

/** `Chat.prototype`, reached through the client's lazy `chat` getter. */
function chatPrototype(): Record<string, unknown> {
  return Object.getPrototypeOf(new openrouter.OpenRouter({ apiKey: 'test-key' }).chat);
}

describeInstrumentContract({
  packageName: '@aicost/instrumentation-openrouter',
  instrument,
  Instrumentation: OpenRouterInstrumentation,
  sdkModule: openrouter,
  patchedMethod: () => chatPrototype().send,
  lookalikes: [{ OpenRouter: {} }, { OpenRouter: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', `${API}/chat/completions`, jsonFixture('chat-completion'));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response gen-');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('@openrouter/sdk/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-openrouter',
      // usage.cost 0.0000088512345 USD, as openrouter.test.ts
      attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000008851' },
    });
  }, 60_000);
});
