/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as mistralSdk from '@mistralai/mistralai';
import { expect } from 'vitest';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
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

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', '/v1/chat/completions', jsonFixture('chat-basic')),
  stdout: 'response ',
  sdkPath: '@mistralai/mistralai/',
  span: {
    scope: '@aicost/instrumentation-mistral',
    attributes: {
      'aicost.cost.status': 'priced',
      'aicost.feature': 'bundled-app',
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 34,
    },
  },
  alsoCheck: (span) => expect(span.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/),
});
