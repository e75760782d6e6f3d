/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { createPricer, setDefaultPricer, withAttribution } from '@aicost/core';
import * as ollama from 'ollama';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
// The rate in code: a bundle cannot load the YAML parser an overrides file needs (AICOST_PRICES_FILE).
setDefaultPricer(
  createPricer({
    overrides: {
      self_hosted: [{ provider: 'ollama', model: 'llama3.2*', input_mtok: '0.05', output_mtok: '0.2' }],
    },
  }),
);
const instrumentation = instrument(ollama);

const client = new ollama.Ollama({ host: String(process.env.MOCK_URL) });
const request = { model: 'llama3.2', messages: [{ role: 'user', content: 'Why is the sky blue?' }] };
const response = await withAttribution({ feature: 'bundled-app' }, () => client.chat(request));
console.log(`response ${response.message.content}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat(request);
await telemetry.report();
