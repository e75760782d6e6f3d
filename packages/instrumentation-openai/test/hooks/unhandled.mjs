// A request against a 400, used as the application chooses (argv[2]): `forget`
// (never asks for the result), `await`, `raw` (asResponse), `with` (withResponse).
// Prints how many unhandled rejections the process saw, and the spans when instrumented.
import OpenAI from 'openai';
import { fetchThatTells, pause } from '../../../../test/support/rejection-probe.mjs';

let unhandled = 0;
process.on('unhandledRejection', () => unhandled++);
// Waits for the server's answer, then for the rejection to be reported (no fixed delay).
const { fetch: fetchAndTell, answer } = fetchThatTells();
const client = new OpenAI({
  apiKey: 'sk-test',
  baseURL: process.env.MOCK_URL,
  maxRetries: 0,
  fetch: fetchAndTell,
});
const promise = client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
});
const mode = process.argv[2];
if (mode === 'await') await promise.catch(() => {});
if (mode === 'raw') await promise.asResponse().catch(() => {});
if (mode === 'with') await promise.withResponse().catch(() => {});
await answer;
await pause(100);
process.stdout.write(`${JSON.stringify({ unhandled })}\n`);
globalThis.printSpans?.();
