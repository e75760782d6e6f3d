/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as cohere from 'cohere-ai';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(cohere);

const client = new cohere.CohereClientV2({ token: 'test-key', environment: String(process.env.MOCK_URL) });
const request = {
  model: 'command-a-03-2025',
  messages: [{ role: 'user' as const, content: 'What is an LLM?' }],
};
const response = await withAttribution({ feature: 'bundled-app' }, () => client.chat(request));
console.log(`response ${response.id}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat(request);
await telemetry.report();
