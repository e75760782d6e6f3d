// @google/generative-ai against a failing server (the SDK does not retry), used
// as the application chooses (argv[2]):
// - `forget`, `await`, `late`: generateContent() against a 400, never asked for,
//   awaited, or asked for after the rejection was reported;
// - `stream-forget`, `stream-await`, `stream-late`: generateContentStream()
//   against a stream that breaks off after one event; the result is awaited and
//   its `stream` read to the break, and `result.response` (which rejects) is
//   never asked for, awaited, or asked for late;
// - `stream-ok`: a whole stream, `response` never asked for.
// argv[3] === 'instrumented' patches the SDK with the built package first.
// Prints the unhandled and re-handled rejections the process saw, and the
// class of the first unhandled reason.
import * as sdk from '@google/generative-ai';

if (process.argv[3] === 'instrumented') {
  const { instrument } = await import('../../dist/index.js');
  instrument(sdk);
}
const reasons = [];
let handledLater = 0;
process.on('unhandledRejection', (reason) => reasons.push(reason?.constructor?.name));
process.on('rejectionHandled', () => handledLater++);
const mode = process.argv[2];
const model = (name) =>
  new sdk.GoogleGenerativeAI('test-key').getGenerativeModel(
    { model: name },
    { baseUrl: process.env.MOCK_URL },
  );
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode.startsWith('stream')) {
  const result = await model(mode === 'stream-ok' ? 'whole' : 'broken').generateContentStream('Hi');
  try {
    for await (const _ of result.stream) {
      // read to the end or the break
    }
  } catch {
    // the break, as the application sees it
  }
  if (mode === 'stream-await') await result.response.catch(() => {});
  await pause(300);
  if (mode === 'stream-late') {
    await result.response.catch(() => {});
    await pause(50);
  }
} else {
  const promise = model('failing').generateContent('Hi');
  if (mode === 'await') await promise.catch(() => {});
  await pause(300);
  if (mode === 'late') {
    await promise.catch(() => {});
    await pause(50);
  }
}
process.stdout.write(`${JSON.stringify({ unhandled: reasons.length, reason: reasons[0], handledLater })}\n`);
