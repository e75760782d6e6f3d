/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as openrouter from '@openrouter/sdk';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { instrument, OpenRouterInstrumentation } from '../src/index.js';

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
