// Usage: node stream-rejection.mjs <dropped|handled> <bare|instrumented>
// Prints {"unhandled": n}: how many unhandled rejections a failing stream's next() produced.
import { observeStream } from '../../../dist/index.js';

const [mode, variant] = process.argv.slice(2);
let unhandled = 0;
process.on('unhandledRejection', () => {
  unhandled++;
});

async function* failing() {
  yield* [];
  throw new Error('the stream broke');
}
const stream = failing();
if (variant === 'instrumented') observeStream(stream, { onError() {} });

const next = stream.next();
if (mode === 'handled') next.catch(() => {});
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ unhandled }));
