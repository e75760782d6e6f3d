/**
 * Observing a Stainless `APIPromise` (the `openai` and `@anthropic-ai/sdk`
 * SDKs, and the SDKs generated the same way) without changing what the
 * application sees.
 *
 * An `APIPromise` is a Promise subclass whose body is read only when someone
 * awaits it, and which also offers `asResponse()` (the raw, unread `Response`)
 * and `withResponse()`. The application gets that same object, observed in place:
 * - its `parseResponse` is wrapped, so the parsed value is seen when, and only
 *   when, the application asks for it: the body is read once, by the SDK;
 * - its response promise (the request, retries included) tells about HTTP and
 *   network errors;
 * - when the raw response is taken with `asResponse()`, or nobody asks for the
 *   result at all (fire-and-forget), the body is read from a clone of the
 *   response, so the application's body stays unread;
 * - promises the SDK derives from it (`_thenUnwrap`: `parse()`, `stream()`
 *   helpers) are observed the same way, and the untransformed value is taken
 *   from the transform they apply.
 * The value is observed on the side of the SDK's own promise: no promise of
 * ours in the application's chain, no added microtask before it sees the result.
 */

import { type ReadResult, readResponse } from './call.js';
import type { GenAICall } from './recorder.js';
import { runSafely } from './safety.js';
import { isThenable, RejectionParity } from './settlement.js';

/** The parts of a Stainless `APIPromise` observed here (TypeScript-private in the SDKs). */
export interface APIPromiseLike {
  /** The request, retries included: `{ response }` once the headers are in. */
  responsePromise?: PromiseLike<{ response: Response }>;
  /** `@anthropic-ai/sdk` 1.x: the same, behind a method. */
  _responseProps?: () => PromiseLike<{ response: Response }>;
  parseResponse: (...args: any[]) => unknown;
  /** Behind `then`/`catch`/`finally`/`withResponse()`: the application asks for the result. */
  parse?: () => Promise<unknown>;
  asResponse: () => Promise<Response>;
  _thenUnwrap?: (transform: (value: unknown, props: unknown) => unknown) => unknown;
}

/** What an instrumentation does with the call's response. */
export interface APIPromiseReader {
  /** The response streams: its raw body is never read here (that would buffer the whole stream). */
  stream: boolean;
  /**
   * The parsed body, as the application gets it, once: write it to the call,
   * or hand a stream to `observeCompletionStream` and return its result. The
   * call ends after it unless that is `true` (a stream took it over).
   */
  read(value: unknown): ReadResult;
  /** The HTTP response arrived (retries over), before anyone reads its body: headers only. */
  onResponse?(response: Response): void;
}

/** Whether `value` is a Stainless `APIPromise` this module can observe. */
export function isAPIPromise(value: unknown): value is APIPromiseLike {
  const promise = value as Partial<APIPromiseLike> | null;
  return (
    promise !== null &&
    typeof promise === 'object' &&
    typeof promise.parseResponse === 'function' &&
    typeof promise.asResponse === 'function' &&
    (typeof promise._responseProps === 'function' || typeof promise.responsePromise?.then === 'function')
  );
}

/**
 * Observes `promise` in place for `call` (see the module comment) and returns
 * true; returns false, having done nothing, when it is not an `APIPromise`.
 * Exactly one of `read` (then the call ends) or a failure ends the call; a
 * request nobody asks the result of keeps its unhandled rejection
 * ({@link RejectionParity}).
 */
export function observeAPIPromise(promise: unknown, call: GenAICall, reader: APIPromiseReader): boolean {
  if (!isAPIPromise(promise)) return false;
  const consumption = new Consumption(call, reader);
  observeInPlace(promise, consumption, true);
  const response =
    typeof promise._responseProps === 'function' ? promise._responseProps() : promise.responsePromise!;
  // Last: the request's rejection is only taken over once `claim` is wired to the methods above.
  response.then(
    ({ response }) => consumption.responded(response),
    (error: unknown) => consumption.requestFailed(error),
  );
  return true;
}

/**
 * How one call's result is consumed, shared by the promise returned to the
 * application and the promises derived from it. One object per call, with its
 * methods on the prototype: this runs for every request.
 */
class Consumption {
  /** Someone reads the body through the SDK (await, then, withResponse, a derived helper). */
  parsing = false;
  /** The application took the raw Response. */
  rawTaken = false;
  /** The parsed value was handed to the reader (once, however many promises see it). */
  delivered = false;
  readonly parity = new RejectionParity();

  constructor(
    readonly call: GenAICall,
    readonly reader: APIPromiseReader,
  ) {}

  /** The parsed result, as the application gets it. */
  deliver(value: unknown): void {
    if (this.delivered) return;
    this.delivered = true;
    readResponse(this.call, value, this.reader.read, this.reader);
  }

  /** The request (retries included) answered: if nobody reads it, read it ourselves. */
  responded(response: Response): void {
    if (this.reader.onResponse)
      runSafely('reading response headers', () => this.reader.onResponse!(response));
    // Consumers that were waiting have started parsing by the time this
    // microtask runs (their reactions were queued before it); if nobody
    // has, the call was fire-and-forget, or the result is awaited later.
    queueMicrotask(() => {
      if (!this.parsing && !this.rawTaken) {
        runSafely('reading an unclaimed response', () => this.readRaw(response));
      }
    });
  }

  requestFailed(error: unknown): void {
    this.call.fail(error);
    this.parity.failed(error);
  }

  /**
   * Reads the body from a clone of a raw response, leaving the original unread
   * for the application. An invalid JSON body is recorded as the call's error.
   * Streams are not read: the call ends without usage (unpriced).
   */
  readRaw(response: Response): void {
    const { call } = this;
    if (call.ended || this.delivered) return;
    const contentType = response.headers.get('content-type') ?? '';
    if (this.reader.stream || !contentType.includes('json') || response.bodyUsed) {
      call.end();
      return;
    }
    response
      .clone()
      .text()
      .then((text) => this.deliver(text ? JSON.parse(text) : undefined))
      .catch((error: unknown) => call.fail(error));
  }
}

/**
 * Wraps, as own properties, the methods through which this promise's body is
 * read: `parse` (the application asks), `parseResponse`, `asResponse`, and
 * `_thenUnwrap`. openai 7 derives promises from a private closure rather than
 * from `parseResponse`, so derived promises are observed the same way.
 */
function observeInPlace(promise: APIPromiseLike, consumption: Consumption, isRoot: boolean): void {
  const { call, parity } = consumption;
  const parse = promise.parse;
  if (typeof parse === 'function') {
    promise.parse = function observedParse(this: unknown) {
      parity.claim();
      return parse.call(this);
    };
  }
  const parseResponse = promise.parseResponse;
  promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]) {
    consumption.parsing = true;
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    if (isThenable(parsed)) {
      parsed.then(isRoot ? (value: unknown) => consumption.deliver(value) : undefined, (error: unknown) =>
        call.fail(error),
      );
    } else if (isRoot) {
      consumption.deliver(parsed);
    }
    return parsed;
  };

  const asResponse = promise.asResponse;
  promise.asResponse = function observedAsResponse(this: unknown) {
    consumption.rawTaken = true;
    parity.claim();
    return asResponse.call(this).then((response) => {
      // withResponse() also parses; then the parse path finalizes.
      if (!consumption.parsing) runSafely('reading a raw response', () => consumption.readRaw(response));
      return response;
    });
  };

  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap === 'function') {
    promise._thenUnwrap = function observedThenUnwrap(this: unknown, transform) {
      const derived = thenUnwrap.call(this, (value: unknown, props: unknown) => {
        if (isRoot) consumption.deliver(value);
        return transform(value, props);
      });
      if (isAPIPromise(derived)) {
        runSafely('observing a derived promise', () => observeInPlace(derived, consumption, false));
      }
      return derived;
    };
  }
}
