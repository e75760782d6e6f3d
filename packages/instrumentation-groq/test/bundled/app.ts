/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import Groq from 'groq-sdk';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(Groq);

const client = new Groq({ apiKey: 'test-key', baseURL: String(process.env.MOCK_URL) });
const request = {
  model: 'llama-3.3-70b-versatile',
  messages: [{ role: 'user' as const, content: 'Explain the importance of fast language models' }],
};
const completion = await withAttribution({ feature: 'bundled-app' }, () =>
  client.chat.completions.create(request),
);
console.log(`response ${completion.id}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat.completions.create(request);
await telemetry.report();
