/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */
import * as mistralSdk from '@mistralai/mistralai';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { instrument, MistralInstrumentation } from '../src/index.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-mistral',
  instrument,
  Instrumentation: MistralInstrumentation,
  sdkModule: mistralSdk,
  patchedMethod: () => Object.getPrototypeOf(new mistralSdk.Mistral({ apiKey: 'test-key' }).chat).complete,
  lookalikes: [{ Mistral: {} }, { Mistral: class {} }],
});
