/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as cohere from 'cohere-ai';
import { expect } from 'vitest';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
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

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', '/v2/chat', jsonFixture('chat-basic')),
  stdout: 'response ',
  sdkPath: 'cohere-ai/',
  span: {
    scope: '@aicost/instrumentation-cohere',
    attributes: {
      'aicost.cost.status': 'priced',
      'aicost.feature': 'bundled-app',
      // Billed units (17), not the 215 tokens the model saw: what Cohere charges for.
      'gen_ai.usage.input_tokens': 17,
      'gen_ai.usage.output_tokens': 12,
    },
  },
  alsoCheck: (span) => expect(span.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/),
});
