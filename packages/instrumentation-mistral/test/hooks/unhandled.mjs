// A request against a failing server (no retries), used as the application
// chooses (argv[2]): `forget` (never asks for the result), `stream` (a stream
// request, forgotten), `await`, `then` (then(ok, err)), `late` (asks after the
// rejection was reported). argv[3] === 'instrumented' patches the SDK with the
// built package first. Prints the unhandled and re-handled rejections the
// process saw, and the class of the first unhandled reason.
import * as sdk from '@mistralai/mistralai';

if (process.argv[3] === 'instrumented') {
  const { instrument } = await import('../../dist/index.js');
  instrument(sdk);
}
const reasons = [];
let handledLater = 0;
process.on('unhandledRejection', (reason) => reasons.push(reason?.constructor?.name));
process.on('rejectionHandled', () => handledLater++);
const client = new sdk.Mistral({ apiKey: 'test-key', serverURL: process.env.MOCK_URL });
const mode = process.argv[2];
const request = { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hi' }] };
const promise = mode === 'stream' ? client.chat.stream(request) : client.chat.complete(request);
if (mode === 'await') await promise.catch(() => {});
if (mode === 'then') await promise.then(undefined, () => {});
await new Promise((resolve) => setTimeout(resolve, 300));
if (mode === 'late') {
  await promise.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`${JSON.stringify({ unhandled: reasons.length, reason: reasons[0], handledLater })}\n`);
