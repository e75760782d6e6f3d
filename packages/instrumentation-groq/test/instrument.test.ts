/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as groq from 'groq-sdk';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { GroqInstrumentation, instrument } from '../src/index.js';
import { jsonFixture } from './setup.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-groq',
  instrument,
  Instrumentation: GroqInstrumentation,
  sdkModule: groq,
  patchedMethod: () => groq.Groq.Chat.Completions.prototype.create,
  lookalikes: [{ Groq: {} }, { Groq: class {} }, { default: { Chat: {} } }],
});

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', '/openai/v1/chat/completions', jsonFixture('chat-completion')),
  stdout: 'response ',
  sdkPath: 'groq-sdk/',
  span: {
    scope: '@aicost/instrumentation-groq',
    attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000449860' },
  },
});
