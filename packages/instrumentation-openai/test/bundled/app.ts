/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` from the package's main entry.
 */
import { withAttribution } from '@aicost/core';
import OpenAI from 'openai';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(OpenAI);

// api.openai.com (so the call is priced as OpenAI's), answered by the test's loopback server.
const client = new OpenAI({
  apiKey: 'test-key',
  maxRetries: 0,
  fetch: (url, init) =>
    fetch(String(url).replace('https://api.openai.com', String(process.env.MOCK_URL)), init),
});
const completion = await withAttribution({ feature: 'bundled-app' }, () =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
);
console.log(`completion ${completion.id}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
await telemetry.report();
