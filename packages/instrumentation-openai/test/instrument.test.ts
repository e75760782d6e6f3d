/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the same contract in every aicost instrumentation (returns the
 * instrumentation, `disable()` undoes, a bad argument warns once and never
 * throws), proven in a real esbuild bundle run without hooks.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { instrument, OpenAIInstrumentation } from '../src/index.js';
import { fixture } from './setup.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
});
afterAll(() => server.close());

describeInstrumentContract({
  packageName: '@aicost/instrumentation-openai',
  instrument,
  Instrumentation: OpenAIInstrumentation,
  sdkModule: OpenAI,
  patchedMethod: () => OpenAI.Chat.Completions.prototype.create,
  lookalikes: [{ OpenAI: {} }, class OpenAI {}],
});

describe('a bundled application without module hooks', () => {
  // Hand-derived from OpenAI's gpt-4o-mini list price ($0.15 input, $0.60 output per million):
  // the fixture's 19 input and 10 output tokens cost 19 x 0.15 + 10 x 0.60 = 8.85 micro-dollars.
  const COST = '0.000008850';

  for (const [entry, label] of [
    ['./bundled/app.ts', 'main entry'],
    ['./bundled/app-manual.ts', '/manual entry'],
  ] as const) {
    it(`gets one priced, attributed span per call from instrument() (${label}); disable() stops it`, async () => {
      const before = server.requests.length;
      const run = await runBundledApp(new URL(entry, import.meta.url), { MOCK_URL: server.url });
      expect(run.stdout).toContain('completion chatcmpl-');
      expect(server.requests.length - before).toBe(2);
      // The SDK is inside the bundle: no hook could have patched it.
      expect(run.inputs.some((input) => input.includes('/openai/client.'))).toBe(true);
      expect(run.spans).toHaveLength(1);
      expect(run.spans[0]).toMatchObject({
        name: 'chat gpt-4o-mini',
        scope: '@aicost/instrumentation-openai',
        attributes: {
          'aicost.cost.status': 'priced',
          'aicost.cost.total': COST,
          'aicost.feature': 'bundled-app',
          'gen_ai.usage.input_tokens': 19,
          'gen_ai.usage.output_tokens': 10,
        },
      });
    });
  }
});
