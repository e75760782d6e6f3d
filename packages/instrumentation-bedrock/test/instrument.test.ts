/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */
import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { BedrockInstrumentation, instrument } from '../src/index.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-bedrock',
  instrument,
  Instrumentation: BedrockInstrumentation,
  sdkModule: bedrockRuntime,
  patchedMethod: () => bedrockRuntime.BedrockRuntimeClient.prototype.send,
  lookalikes: [{ BedrockRuntimeClient: {} }, { BedrockRuntimeClient: class {} }],
});
