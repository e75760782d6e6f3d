/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as ollama from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { instrument, OllamaInstrumentation } from '../src/index.js';
import { jsonFixture } from './setup.js';

/** The prototype that defines `chat` (the browser base class of the Node `Ollama`). */
function chatOwner(): Record<string, unknown> {
  let prototype = ollama.Ollama.prototype as object;
  while (!Object.hasOwn(prototype, 'chat')) prototype = Object.getPrototypeOf(prototype);
  return prototype as Record<string, unknown>;
}

describeInstrumentContract({
  packageName: '@aicost/instrumentation-ollama',
  instrument,
  Instrumentation: OllamaInstrumentation,
  sdkModule: ollama,
  patchedMethod: () => chatOwner().chat,
  lookalikes: [{ Ollama: {} }, { Ollama: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', '/api/chat', jsonFixture('chat'));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('ollama/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-ollama',
      attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000060900' },
    });
  });
});
