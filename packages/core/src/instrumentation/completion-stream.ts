import type { GenAICall } from './recorder.js';
import { runSafely } from './safety.js';
import { observeStream, type StreamObserver } from './stream.js';

/** What an instrumentation knows about its SDK's stream: how to read a chunk, and what the chunks add up to. */
export interface CompletionStreamReader<Chunk> {
  /**
   * Takes one chunk into account. Returns whether it counts for the time to
   * first chunk (only the first such chunk marks it): a chunk with output, or
   * any chunk for SDKs whose every chunk is one.
   */
  add(chunk: Chunk): boolean;
  /**
   * Writes what the chunks so far say to the call (response info, usage,
   * content). Runs once, when the stream ends however it ends. Returns an
   * error when the stream itself reported a failure (a `response.failed`
   * event): a stream read to its end then fails the call with it.
   */
  finish(): unknown;
}

/** How {@link observeCompletionStream} follows a stream, beyond its reader. */
export interface CompletionStreamOptions<Chunk> {
  /** The request's abort signal: an abort ends the call as an error (see {@link observeStream}). */
  signal?: AbortSignal;
  /** Keeps a chunk from the application (a usage-only chunk it did not ask for). */
  hideChunk?: (chunk: Chunk) => boolean;
  /** Runs on every chunk after the reader (e.g. to strip a field the application did not ask for). */
  afterChunk?: (chunk: Chunk) => void;
  /** Runs after a stream read to its end was recorded, before the call ends (e.g. a warning about missing usage). */
  afterDone?: () => void;
  /** The error the call records for `error` (e.g. the SDK's own name for an abort); default: `error` itself. */
  errorOf?: (error: unknown) => unknown;
  /**
   * The stream is a `ReadableStream` that may also be read without its async
   * iterator: a default reader from `getReader()` is followed too.
   */
  readers?: boolean;
}

/**
 * Follows a completion stream IN PLACE (see {@link observeStream}: the object,
 * its class and its helpers stay the SDK's) and ends `call` with it:
 * - read to its end: the reader's `finish()`, then the call ends (or fails with
 *   the error the stream reported);
 * - abandoned (`break`, `return()`, cancel), broken or aborted: `finish()` with
 *   what was seen so far, which prices a lower bound (`estimated` /
 *   `partial_stream`), then the call ends, or fails with the error.
 *
 * Returns true: the stream took the call over (return it from a response
 * reader, see `runCall`). Returns false, having ended the call without usage
 * (unpriced rather than guessed), when `stream` is not async iterable.
 */
export function observeCompletionStream<Chunk>(
  call: GenAICall,
  stream: unknown,
  reader: CompletionStreamReader<Chunk>,
  options: CompletionStreamOptions<Chunk> = {},
): boolean {
  if (!isAsyncIterable(stream)) {
    call.end();
    return false;
  }
  const { signal, hideChunk, afterChunk, afterDone, errorOf } = options;
  const finish = (): unknown => runSafely('reading a stream', () => reader.finish());
  const observer: StreamObserver<Chunk> = {
    signal,
    hideChunk,
    onChunk(chunk: Chunk) {
      if (reader.add(chunk)) call.firstChunk();
      afterChunk?.(chunk);
    },
    // Once: a stream also read through a reader may report its end twice.
    onDone() {
      if (call.ended) return;
      const failure = finish();
      if (afterDone) runSafely('finishing a stream', afterDone);
      if (failure) call.fail(failure);
      else call.end();
    },
    onAbandon() {
      if (call.ended) return;
      finish();
      call.markPartial();
      call.end();
    },
    onError(error: unknown) {
      if (call.ended) return;
      finish();
      call.markPartial();
      call.fail(errorOf ? errorOf(error) : error);
    },
  };
  observeStream(stream, observer);
  if (options.readers) followReader(stream, observer);
  return true;
}

// Not inline above: a closure there naming `stream` would put it in the context every observer
// callback shares, and the stream could then never be collected (see `abandonedWhenCollected`).
function followReader(stream: unknown, observer: StreamObserver<unknown>): void {
  runSafely('observing a stream reader', () => observeDefaultReader(stream as ReadableStreamLike, observer));
}

interface ReadableStreamLike {
  getReader?: (...args: unknown[]) => ReadableStreamDefaultReader<unknown>;
}

/**
 * `getReader()` reads the stream without its async iterator: the reader it
 * returns gets its `read()` and `cancel()` observed as own properties (the
 * reader object and its class are the platform's own). A BYOB reader is left
 * alone (a stream of events carries objects, not bytes).
 */
function observeDefaultReader(stream: ReadableStreamLike, observer: StreamObserver<any>): void {
  const getReader = stream.getReader;
  if (typeof getReader !== 'function') return;
  Object.defineProperty(stream, 'getReader', {
    configurable: true,
    writable: true,
    value: function getObservedReader(this: unknown, ...args: unknown[]) {
      const reader = getReader.apply(this, args);
      const options = args[0] as { mode?: unknown } | undefined;
      if (options?.mode === undefined)
        runSafely('observing a stream reader', () => observeReader(reader, observer));
      return reader;
    },
  });
}

function observeReader(reader: ReadableStreamDefaultReader<unknown>, observer: StreamObserver<any>): void {
  const read = reader.read;
  const cancel = reader.cancel;
  const settle = (callback: (() => void) | undefined) =>
    runSafely('observing a stream reader', () => callback?.());
  Object.defineProperty(reader, 'read', {
    configurable: true,
    writable: true,
    value: function observedRead(this: ReadableStreamDefaultReader<unknown>) {
      return read.call(this).then(
        (result) => {
          if (result.done) settle(() => observer.onDone?.());
          else settle(() => observer.onChunk?.(result.value));
          return result;
        },
        (error: unknown) => {
          settle(() => observer.onError?.(error));
          throw error;
        },
      );
    },
  });
  Object.defineProperty(reader, 'cancel', {
    configurable: true,
    writable: true,
    value: function observedCancel(this: ReadableStreamDefaultReader<unknown>, reason?: unknown) {
      settle(() => observer.onAbandon?.());
      return cancel.call(this, reason);
    },
  });
}

/** Whether `value` can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> & object {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
