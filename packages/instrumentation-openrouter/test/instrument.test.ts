/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as openrouter from '@openrouter/sdk';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
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

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', `${API}/chat/completions`, jsonFixture('chat-completion')),
  stdout: 'response gen-',
  sdkPath: '@openrouter/sdk/',
  span: {
    scope: '@aicost/instrumentation-openrouter',
    // usage.cost 0.0000088512345 USD, as openrouter.test.ts
    attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000008851' },
  },
  timeoutMs: 60_000,
});
