/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(bedrockRuntime);

const client = new bedrockRuntime.BedrockRuntimeClient({
  endpoint: String(process.env.MOCK_URL),
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler(),
});
const input = {
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  messages: [{ role: 'user' as const, content: [{ text: 'Hi' }] }],
};
const response = await withAttribution({ feature: 'bundled-app' }, () =>
  client.send(new bedrockRuntime.ConverseCommand(input)),
);
console.log(`response ${response.stopReason}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await client.send(new bedrockRuntime.ConverseCommand(input));
await telemetry.report();
