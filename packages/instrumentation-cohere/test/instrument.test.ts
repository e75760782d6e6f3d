/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */
import * as cohere from 'cohere-ai';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { CohereInstrumentation, instrument } from '../src/index.js';

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
