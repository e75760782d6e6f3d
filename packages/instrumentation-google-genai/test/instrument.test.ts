/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */
import * as genai from '@google/genai';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { GoogleGenAIInstrumentation, instrument } from '../src/index.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-google-genai',
  instrument,
  Instrumentation: GoogleGenAIInstrumentation,
  sdkModule: genai,
  patchedMethod: () => (genai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal,
  lookalikes: [{ Models: {} }, { GoogleGenAI: class {} }],
});
