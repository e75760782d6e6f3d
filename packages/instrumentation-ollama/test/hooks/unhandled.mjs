// A request against a failing server, used as the application chooses
// (argv[2]): `forget` (never asks for the result), `stream` (a stream request,
// forgotten), `await`, `then` (then(ok, err)), `late` (asks after the
// rejection was reported). argv[3] === 'instrumented' patches the SDK with the
// built package first. Prints the unhandled and re-handled rejections the
// process saw, and the class of the first unhandled reason.
import * as sdk from 'ollama';

if (process.argv[3] === 'instrumented') {
  const { instrument } = await import('../../dist/index.js');
  instrument(sdk);
}
const reasons = [];
let handledLater = 0;
process.on('unhandledRejection', (reason) => reasons.push(reason?.constructor?.name));
process.on('rejectionHandled', () => handledLater++);
// The server's answer has come back (the probe waits for it, then for the rejection to be reported,
// instead of guessing a delay: a loaded machine may take longer than any fixed one).
let answered;
const answer = new Promise((resolve) => {
  answered = resolve;
});
const fetchAndTell = async (...args) => {
  try {
    return await fetch(...args);
  } finally {
    answered();
  }
};
const client = new sdk.Ollama({ host: process.env.MOCK_URL, fetch: fetchAndTell });
const mode = process.argv[2];
const request = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], stream: mode === 'stream' };
const promise = client.chat(request);
if (mode === 'await') await promise.catch(() => {});
if (mode === 'then') await promise.then(undefined, () => {});
await answer;
await new Promise((resolve) => setTimeout(resolve, 100));
if (mode === 'late') {
  await promise.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`${JSON.stringify({ unhandled: reasons.length, reason: reasons[0], handledLater })}\n`);
