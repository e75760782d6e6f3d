// @google/generative-ai against a failing server (the SDK does not retry), used
// as the application chooses (argv[2]):
// - `forget`, `await`, `late`: generateContent() against a 400, never asked for,
//   awaited, or asked for after the rejection was reported;
// - `stream-forget`, `stream-await`, `stream-late`: generateContentStream()
//   against a stream that breaks off after one event; the result is awaited and
//   its `stream` read to the break, and `result.response` (which rejects) is
//   never asked for, awaited, or asked for late;
// - `stream-ok`: a whole stream, `response` never asked for.
// The modes' common part: test/support/rejection-probe.mjs.
import * as sdk from '@google/generative-ai';
import { pause, probeMode, watchRejections } from '../../../../test/support/rejection-probe.mjs';

const mode = await probeMode(async () => (await import('../../dist/index.js')).instrument(sdk));
const rejections = watchRejections();
const model = (name) =>
  new sdk.GoogleGenerativeAI('test-key').getGenerativeModel(
    { model: name },
    { baseUrl: process.env.MOCK_URL },
  );

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
rejections.report();
