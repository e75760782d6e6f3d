/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as anthropicSdk from '@anthropic-ai/sdk';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(anthropicSdk);

// api.anthropic.com, answered by the test's loopback server.
const client = new anthropicSdk.Anthropic({
  apiKey: 'test-key',
  maxRetries: 0,
  fetch: (url, init) =>
    fetch(String(url).replace('https://api.anthropic.com', String(process.env.MOCK_URL)), init),
});
const request = {
  model: 'claude-haiku-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};
const message = await withAttribution({ feature: 'bundled-app' }, () => client.messages.create(request));
console.log(`message ${message.id}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.messages.create(request);
await telemetry.report();
