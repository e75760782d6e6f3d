/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as groq from 'groq-sdk';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { GroqInstrumentation, instrument } from '../src/index.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-groq',
  instrument,
  Instrumentation: GroqInstrumentation,
  sdkModule: groq,
  patchedMethod: () => groq.Groq.Chat.Completions.prototype.create,
  lookalikes: [{ Groq: {} }, { Groq: class {} }, { default: { Chat: {} } }],
});
