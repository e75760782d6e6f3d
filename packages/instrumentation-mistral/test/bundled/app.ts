/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as mistralSdk from '@mistralai/mistralai';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(mistralSdk);

const client = new mistralSdk.Mistral({ apiKey: 'test-key', serverURL: String(process.env.MOCK_URL) });
const request = {
  model: 'mistral-small-latest',
  messages: [{ role: 'user' as const, content: 'Best French cheese?' }],
};
const response = await withAttribution({ feature: 'bundled-app' }, () => client.chat.complete(request));
console.log(`response ${response.id}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat.complete(request);
await telemetry.report();
