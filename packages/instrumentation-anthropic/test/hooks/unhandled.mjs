// A request against a 400, used as the application chooses (argv[2]): `forget`
// (never asks for the result), `await`, `raw` (asResponse), `with` (withResponse),
// `stream` (stream: true, forgotten). argv[3] === 'instrumented' patches the SDK
// with the built package first. Prints how many unhandled rejections the process saw.
import * as sdk from '@anthropic-ai/sdk';
import { fetchThatTells, pause } from '../../../../test/support/rejection-probe.mjs';

if (process.argv[3] === 'instrumented') {
  const { instrument } = await import('../../dist/index.js');
  instrument(sdk);
}
let unhandled = 0;
process.on('unhandledRejection', () => unhandled++);
// Waits for the server's answer, then for the rejection to be reported (no fixed delay).
const { fetch: fetchAndTell, answer } = fetchThatTells();
const client = new sdk.Anthropic({
  apiKey: 'sk-test',
  baseURL: process.env.MOCK_URL,
  maxRetries: 0,
  fetch: fetchAndTell,
});
const mode = process.argv[2];
const promise = client.messages.create({
  model: 'claude-haiku-4-5-20251001',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Hi' }],
  ...(mode === 'stream' ? { stream: true } : {}),
});
if (mode === 'await') await promise.catch(() => {});
if (mode === 'raw') await promise.asResponse().catch(() => {});
if (mode === 'with') await promise.withResponse().catch(() => {});
await answer;
await pause(100);
process.stdout.write(`${JSON.stringify({ unhandled })}\n`);
