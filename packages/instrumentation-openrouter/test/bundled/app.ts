/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as openrouter from '@openrouter/sdk';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(openrouter);

const client = new openrouter.OpenRouter({ apiKey: 'test-key', serverURL: `${process.env.MOCK_URL}/api/v1` });
const chatRequest = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello!' }] };
const result = await withAttribution({ feature: 'bundled-app' }, () => client.chat.send({ chatRequest }));
console.log(`response ${'id' in result ? result.id : ''}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.chat.send({ chatRequest });
await telemetry.report();
