/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as genai from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { GoogleGenAIInstrumentation, instrument } from '../src/index.js';
import { loadFixture } from './helpers.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-google-genai',
  instrument,
  Instrumentation: GoogleGenAIInstrumentation,
  sdkModule: genai,
  patchedMethod: () => (genai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal,
  lookalikes: [{ Models: {} }, { GoogleGenAI: class {} }],
});

describe('a bundled application without module hooks', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', /:generateContent$/, json(loadFixture('generate-content-function-call')));
  });
  afterAll(() => server.close());

  it('gets one priced, attributed span per call from instrument(); disable() stops it', async () => {
    const run = await runBundledApp(new URL('./bundled/app.ts', import.meta.url), { MOCK_URL: server.url });
    expect(run.stdout).toContain('response ');
    expect(server.requests).toHaveLength(2);
    // The SDK is inside the bundle: no hook could have patched it.
    expect(run.inputs.some((input) => input.includes('@google/genai/'))).toBe(true);
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]).toMatchObject({
      scope: '@aicost/instrumentation-google-genai',
      attributes: {
        'aicost.cost.status': 'priced',
        'aicost.feature': 'bundled-app',
        'gen_ai.usage.input_tokens': 60,
        'gen_ai.usage.output_tokens': 8,
      },
    });
    expect(run.spans[0]?.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/);
  });
});
