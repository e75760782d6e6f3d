/**
 * A tiny application, bundled by esbuild and run with no module hooks (see
 * test/support/bundled-app.ts): `instrument()` on the SDK module it imports.
 */
import { withAttribution } from '@aicost/core';
import * as genai from '@google/genai';
import { startTelemetry } from '../../../../test/support/bundled-telemetry.js';
import { instrument } from '../../src/index.js';

const telemetry = startTelemetry();
const instrumentation = instrument(genai);

const ai = new genai.GoogleGenAI({
  apiKey: 'test-key',
  httpOptions: { baseUrl: String(process.env.MOCK_URL) },
});
const request = { model: 'gemini-2.5-flash', contents: 'What is the weather in Paris?' };
const response = await withAttribution({ feature: 'bundled-app' }, () => ai.models.generateContent(request));
console.log(`response ${response.responseId}`);

// disable() undoes instrument(): this call makes no span.
instrumentation.disable();
await ai.models.generateContent(request);
await telemetry.report();
