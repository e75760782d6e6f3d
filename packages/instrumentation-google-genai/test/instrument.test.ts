/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as genai from '@google/genai';
import { expect } from 'vitest';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { json } from '../../../test/support/mock-server.js';
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

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) =>
    server.on('POST', /:generateContent$/, json(loadFixture('generate-content-function-call'))),
  stdout: 'response ',
  sdkPath: '@google/genai/',
  span: {
    scope: '@aicost/instrumentation-google-genai',
    attributes: {
      'aicost.cost.status': 'priced',
      'aicost.feature': 'bundled-app',
      'gen_ai.usage.input_tokens': 60,
      'gen_ai.usage.output_tokens': 8,
    },
  },
  alsoCheck: (span) => expect(span.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/),
});
