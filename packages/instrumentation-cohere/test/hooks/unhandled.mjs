// A request against a failing server (no retries), used as the application
// chooses (argv[2]): `forget` (never asks for the result), `stream` (a stream
// request, forgotten), `await`, `then` (then(ok, err)), `raw`
// (withRawResponse()), `late` (asks after the rejection was reported).
// argv[3] === 'instrumented' patches the SDK with the built package first.
// Prints the unhandled and re-handled rejections the process saw, and the
// class of the first unhandled reason.
import * as sdk from 'cohere-ai';

if (process.argv[3] === 'instrumented') {
  const { instrument } = await import('../../dist/index.js');
  instrument(sdk);
}
const reasons = [];
let handledLater = 0;
process.on('unhandledRejection', (reason) => reasons.push(reason?.constructor?.name));
process.on('rejectionHandled', () => handledLater++);
const client = new sdk.CohereClientV2({ token: 'test-key', environment: process.env.MOCK_URL });
const mode = process.argv[2];
const request = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] };
const options = { maxRetries: 0 };
const promise = mode === 'stream' ? client.chatStream(request, options) : client.chat(request, options);
if (mode === 'await') await promise.catch(() => {});
if (mode === 'then') await promise.then(undefined, () => {});
if (mode === 'raw') await promise.withRawResponse().catch(() => {});
await new Promise((resolve) => setTimeout(resolve, 300));
if (mode === 'late') {
  await promise.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`${JSON.stringify({ unhandled: reasons.length, reason: reasons[0], handledLater })}\n`);
