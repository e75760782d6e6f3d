import { logOnce, runSafely } from './safety.js';

/** What {@link observeStream} reports about one stream. Every callback runs inside `runSafely`. */
export interface StreamObserver<T> {
  /** Every item the source yields, including the ones {@link hideChunk} keeps from the application. */
  onChunk?(chunk: T): void;
  /**
   * Return `true` to keep an item from the application, e.g. a usage-only
   * chunk the instrumentation asked for that the application did not.
   */
  hideChunk?(chunk: T): boolean;
  /** The source ran to its end. */
  onDone?(): void;
  /** The source failed, or the request was aborted (`signal`). The error is still thrown to the application. */
  onError?(error: unknown): void;
  /** The application stopped early (`break`, `return()`, a cancelled `ReadableStream`). Default: {@link onDone}. */
  onAbandon?(): void;
  /**
   * The request's abort signal. An abort ends the stream as an error, whether
   * the application was iterating (the SDK then ends the iteration quietly) or
   * not iterating at all.
   */
  signal?: AbortSignal;
}

type AnyAsyncIterator = AsyncIterator<unknown> & Partial<AsyncIterable<unknown>>;

/**
 * Instruments a stream object's async iteration IN PLACE and returns the same
 * object: its identity, class and helpers built on iteration (`tee()`,
 * `toReadableStream()`, `finalMessage()`, `controller.abort()`) are unchanged.
 *
 * Exactly one of `onDone`, `onError`, `onAbandon` runs, once. Only the first
 * iterator taken from the object is observed: a second iteration behaves as it
 * would without instrumentation (the SDKs throw "already consumed").
 *
 * Supported shapes, in this order:
 * - an own `iterator()` factory (Stainless SDKs: openai, @anthropic-ai/sdk),
 *   which `tee()` and `toReadableStream()` also go through;
 * - an async iterator itself (an async generator): `next`/`return`/`throw` are wrapped;
 * - any async iterable: `Symbol.asyncIterator` is shadowed by an own property.
 */
export function observeStream<S extends object>(stream: S, observer: StreamObserver<any>): S {
  runSafely('observeStream', () => install(stream as Record<PropertyKey, any>, observer));
  return stream;
}

/**
 * A stream the application drops without finishing it (never iterated, or an
 * iterator left half-read) is abandoned: when the object is collected, the
 * stream ends as abandoned instead of leaving its span open forever.
 */
const abandonedWhenCollected =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Outcome>((outcome) => outcome.abandon())
    : undefined;

function install(stream: Record<PropertyKey, any>, observer: StreamObserver<unknown>): void {
  const outcome = createOutcome(observer);
  let claimed = false;
  const claim = (iterator: AnyAsyncIterator): AnyAsyncIterator => {
    if (claimed || outcome.settled) return iterator;
    claimed = true;
    const observed = observeIterator(iterator, observer, outcome);
    // From now on the iterator, not the stream object, is what the application holds while reading.
    abandonedWhenCollected?.unregister(outcome);
    abandonedWhenCollected?.register(observed, outcome, outcome);
    return observed;
  };

  if (typeof stream.iterator === 'function' && Object.hasOwn(stream, 'iterator')) {
    const original = stream.iterator;
    stream.iterator = function observedIterator(this: unknown, ...args: unknown[]) {
      return claim(original.apply(this, args));
    };
  } else if (typeof stream.next === 'function') {
    patchIteratorInPlace(stream as AnyAsyncIterator, observer, outcome);
  } else if (typeof stream[Symbol.asyncIterator] === 'function') {
    const original = stream[Symbol.asyncIterator];
    Object.defineProperty(stream, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: function observedAsyncIterator(this: unknown) {
        return claim(original.call(this));
      },
    });
  } else {
    throw new TypeError('not an async iterable');
  }

  abandonedWhenCollected?.register(stream, outcome, outcome);
  watchAbort(observer.signal, outcome);
}

/** The one-time ending of a stream, and how many `next()` calls are in flight. */
interface Outcome {
  settled: boolean;
  pending: number;
  done(): void;
  error(error: unknown): void;
  abandon(): void;
  /** Cleanup when settled (the abort listener). */
  onSettle?: () => void;
}

function createOutcome(observer: StreamObserver<unknown>): Outcome {
  const outcome: Outcome = {
    settled: false,
    pending: 0,
    done() {
      if (observer.signal?.aborted) return outcome.error(abortError(observer.signal));
      settle(() => observer.onDone?.());
    },
    error(error) {
      settle(() => observer.onError?.(error));
    },
    abandon() {
      settle(() => (observer.onAbandon ?? observer.onDone)?.call(observer));
    },
  };
  const settle = (callback: () => void) => {
    if (outcome.settled) return;
    outcome.settled = true;
    abandonedWhenCollected?.unregister(outcome);
    outcome.onSettle?.();
    runSafely('stream observer', callback);
  };
  return outcome;
}

function watchAbort(signal: AbortSignal | undefined, outcome: Outcome): void {
  if (!signal) return;
  // Deferred: when the application breaks out of a loop or cancels a readable,
  // the SDK aborts its controller and only then calls return(); that is an
  // abandon, not an abort, and return() has marked it so by the time this runs.
  const onAbort = () =>
    queueMicrotask(() => {
      if (outcome.pending === 0) outcome.error(abortError(signal));
    });
  if (signal.aborted) {
    onAbort();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  outcome.onSettle = () => signal.removeEventListener('abort', onAbort);
}

function observeIterator(
  inner: AnyAsyncIterator,
  observer: StreamObserver<unknown>,
  outcome: Outcome,
): AnyAsyncIterator {
  // Handlers made once per iterator, not per chunk: this runs for every chunk of every stream.
  const { onChunk, hideChunk } = observer;
  const onResult = (
    result: IteratorResult<unknown>,
  ): IteratorResult<unknown> | Promise<IteratorResult<unknown>> => {
    if (result.done) {
      outcome.pending--;
      outcome.done();
      return result;
    }
    const chunk = result.value;
    if (onChunk) {
      try {
        onChunk.call(observer, chunk);
      } catch (error) {
        logOnce('stream chunk observer', error);
      }
    }
    if (hideChunk && isHidden(observer, hideChunk, chunk)) return inner.next().then(onResult, onFailure);
    outcome.pending--;
    return result;
  };
  const onFailure = (error: unknown): never => {
    outcome.pending--;
    outcome.error(error);
    throw error;
  };
  // A promise of ours per chunk (one microtask later than the SDK's own) rather than a reaction beside
  // the SDK's: observing the SDK's promise would mark its rejection handled, and a `next()` promise the
  // application drops would then no longer be an unhandled rejection.
  const observed: AnyAsyncIterator = {
    next: (...args: [] | [unknown]) => {
      outcome.pending++;
      return inner.next(...args).then(onResult, onFailure);
    },
    return: (value?: unknown) => {
      outcome.abandon();
      return inner.return ? inner.return(value) : Promise.resolve({ done: true, value });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  if (inner.throw) {
    observed.throw = (error?: unknown) => {
      outcome.abandon();
      return inner.throw!(error);
    };
  }
  return observed;
}

function isHidden(
  observer: StreamObserver<unknown>,
  hideChunk: (chunk: unknown) => boolean,
  chunk: unknown,
): boolean {
  try {
    return hideChunk.call(observer, chunk) === true;
  } catch (error) {
    logOnce('stream chunk filter', error);
    return false;
  }
}

/** For async generators: the object is its own iterator, so wrap its methods as own properties. */
function patchIteratorInPlace(
  target: AnyAsyncIterator,
  observer: StreamObserver<unknown>,
  outcome: Outcome,
): void {
  const next = target.next.bind(target);
  const ret = target.return?.bind(target);
  const thr = target.throw?.bind(target);
  const inner: AnyAsyncIterator = { next };
  if (ret) inner.return = ret;
  if (thr) inner.throw = thr;
  const observed = observeIterator(inner, observer, outcome);
  Object.defineProperty(target, 'next', { configurable: true, writable: true, value: observed.next });
  if (ret)
    Object.defineProperty(target, 'return', { configurable: true, writable: true, value: observed.return });
  if (thr)
    Object.defineProperty(target, 'throw', { configurable: true, writable: true, value: observed.throw });
}

/**
 * The error an aborted stream ends with: the signal's reason when it is an
 * Error (`DOMException` `AbortError` for a plain `abort()`), else an `Error`
 * named `AbortError`, which is how the SDKs name an aborted request. For
 * transports that surface an abort as whatever broke (a reset socket).
 */
export function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}
