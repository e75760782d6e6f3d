// The body of an instrumentation package's unhandled-rejection probe
// (test/hooks/unhandled*.mjs): a request against a failing server, used as the
// application chooses (argv[2]), with the SDK patched by the built package
// first when argv[3] === 'instrumented'. The probe prints, as one JSON line,
// the unhandled and re-handled rejections the process saw and the class of the
// first unhandled reason. test/support/unhandled-rejections.ts runs it bare and
// instrumented and compares. No vitest in that process: the test runner itself
// fails on unhandled rejections.

/** @param {number} ms */
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @typedef {{ then(onFulfilled?: unknown, onRejected?: (reason: unknown) => unknown): Promise<unknown>; catch(onRejected: (reason: unknown) => unknown): Promise<unknown> }} SDKPromise */

/**
 * The probe's mode (argv[2]), once the SDK is patched when the run is the instrumented one.
 * @param {() => Promise<unknown>} instrument patches the SDK with the package's built dist
 * @returns {Promise<string>}
 */
export async function probeMode(instrument) {
  if (process.argv[3] === 'instrumented') await instrument();
  return process.argv[2];
}

/**
 * Counts the process's `unhandledRejection` and `rejectionHandled` events from now on;
 * `report()` prints them (and the first unhandled reason's class) on one stdout line.
 */
export function watchRejections() {
  /** @type {(string | undefined)[]} */
  const reasons = [];
  let handledLater = 0;
  process.on('unhandledRejection', (reason) => reasons.push(reason?.constructor?.name));
  process.on('rejectionHandled', () => handledLater++);
  return {
    report() {
      process.stdout.write(
        `${JSON.stringify({ unhandled: reasons.length, reason: reasons[0], handledLater })}\n`,
      );
    },
  };
}

/**
 * The whole probe for an SDK whose call returns a promise-like result. Modes: `forget` (never asks
 * for the result), `stream` (a stream request, forgotten), `await`, `then` (then(ok, err)), `late`
 * (asks after the rejection was reported), and the SDK's own ways of asking (`handlers`).
 * @param {{
 *   instrument: () => Promise<unknown>,
 *   request: (mode: string, fetch: typeof globalThis.fetch) => SDKPromise,
 *   handlers?: Record<string, (promise: any) => Promise<unknown>>,
 * }} probe `request` makes the failing request (a stream request in mode `stream`) through `fetch`
 *   and without retries; `handlers` ask for the result as mode names them, e.g.
 *   `{ raw: (promise) => promise.asResponse() }`
 */
export async function probeUnhandledRejections({ instrument, request, handlers = {} }) {
  const mode = await probeMode(instrument);
  const rejections = watchRejections();
  const { fetch: fetchAndTell, answer } = fetchThatTells();
  const promise = request(mode, fetchAndTell);
  if (mode === 'await') await promise.catch(() => {});
  if (mode === 'then') await promise.then(undefined, () => {});
  if (Object.hasOwn(handlers, mode)) await handlers[mode](promise).catch(() => {});
  await answer;
  await pause(100);
  if (mode === 'late') {
    await promise.catch(() => {});
    await pause(50);
  }
  rejections.report();
}

/**
 * A `fetch` for the SDK under test, and a promise settled once the server's answer has come back:
 * a probe waits for it, then for the rejection to be reported, instead of guessing a delay (a loaded
 * machine may take longer than any fixed one).
 * @returns {{ fetch: typeof globalThis.fetch, answer: Promise<void> }}
 */
export function fetchThatTells() {
  let answered = () => {};
  /** @type {Promise<void>} */
  const answer = new Promise((resolve) => {
    answered = resolve;
  });
  /** @type {typeof globalThis.fetch} */
  const fetchAndTell = async (...args) => {
    try {
      return await fetch(...args);
    } finally {
      answered();
    }
  };
  return { fetch: fetchAndTell, answer };
}
