/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as groq from 'groq-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { GroqInstrumentation, instrument } from '../src/index.js';
import { jsonFixture } from './setup.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-groq',
  instrument,
  Instrumentation: GroqInstrumentation,
  sdkModule: groq,
  patchedMethod: () => groq.Groq.Chat.Completions.prototype.create,
  lookalikes: [{ Groq: {} }, { Groq: class {} }, { default: { Chat: {} } }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', '/openai/v1/chat/completions', jsonFixture('chat-completion'));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('groq-sdk/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-groq',
      attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000449860' },
    });
  });
});
