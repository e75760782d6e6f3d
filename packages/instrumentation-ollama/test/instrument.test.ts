/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts).
 */

import * as ollama from 'ollama';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { instrument, OllamaInstrumentation } from '../src/index.js';
import { jsonFixture } from './setup.js';

/** The prototype that defines `chat` (the browser base class of the Node `Ollama`). */
function chatOwner(): Record<string, unknown> {
  let prototype = ollama.Ollama.prototype as object;
  while (!Object.hasOwn(prototype, 'chat')) prototype = Object.getPrototypeOf(prototype);
  return prototype as Record<string, unknown>;
}

describeInstrumentContract({
  packageName: '@aicost/instrumentation-ollama',
  instrument,
  Instrumentation: OllamaInstrumentation,
  sdkModule: ollama,
  patchedMethod: () => chatOwner().chat,
  lookalikes: [{ Ollama: {} }, { Ollama: class {} }],
});

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', '/api/chat', jsonFixture('chat')),
  stdout: 'response ',
  sdkPath: 'ollama/',
  span: {
    scope: '@aicost/instrumentation-ollama',
    attributes: { 'aicost.feature': 'bundled-app', 'aicost.cost.total': '0.000060900' },
  },
});
