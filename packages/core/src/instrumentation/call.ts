import { context } from '@opentelemetry/api';
import type { GenAICall } from './recorder.js';
import { logOnce, runSafely } from './safety.js';
import { isThenable, observeSettlement } from './settlement.js';

/**
 * The lifecycle of one SDK call, the same for every instrumentation:
 *
 * ```ts
 * const call = this.startCall(() => callInfo(this, request), () => ({ inputMessages: ... }));
 * if (!call) return original.apply(this, args);
 * return runCall(call, () => original.apply(this, args), (response) => recordResponse(call, response));
 * ```
 *
 * `runCall` runs the SDK method inside the call's span, returns exactly what the
 * method returned, and reads the response on the side: `read` writes what the
 * response says to the call (response info, usage, content), or hands a stream
 * to {@link observeCompletionStream} and returns what it returns (`true`: the
 * stream took the call over). The call then ends (a stream ends it when it
 * ends). Errors fail the call and reach the application unchanged.
 */

/**
 * What a response reader returns: `true` when a stream took the call over
 * ({@link observeCompletionStream}'s result), so the promise settling does not end it.
 */
export type ReadResult = unknown;

/**
 * Runs `run` (the SDK method) with the call's span active, as `run.apply(thisArg, args)`
 * (no closure needed on a hot path). A synchronous throw fails the call and is rethrown as it was.
 */
export function runInCall<A extends unknown[], T>(
  call: GenAICall,
  run: (...args: A) => T,
  thisArg?: unknown,
  ...args: A
): T {
  try {
    return context.with(call.context, run, thisArg, ...args);
  } catch (error) {
    call.fail(error);
    throw error;
  }
}

/** How {@link settle} observes a call's promise. */
export interface SettleOptions {
  /**
   * The SDK awaits this promise itself (an internal method such as
   * `generateContentInternal`): the SDK's await handles its rejection, so a
   * plain reaction is enough and no unhandled-rejection parity is needed.
   */
  awaitedBySdk?: boolean;
}

/**
 * Settles `call` from `pending`, the SDK method's return value, and returns
 * that very value. A plain native promise is observed on the side
 * ({@link observeSettlement}): the application awaits the same object, on the
 * same tick, and a failed request nobody asks the result of is still an
 * unhandled rejection. Any other thenable gets a derived promise, one
 * microtask later, rejecting the same way. A value that is not a promise is
 * read at once.
 *
 * `read(value)` runs inside a try (a failure is logged once); the call ends
 * after it, unless `read` returned `true` (a stream took it over) or it already ended.
 */
export function settle<T>(
  call: GenAICall,
  pending: T,
  read: (value: Awaited<T>) => ReadResult,
  options?: SettleOptions,
): T {
  if (!isThenable(pending)) {
    readResponse(call, pending as Awaited<T>, read);
    return pending;
  }
  const onValue = (value: Awaited<T>) => readResponse(call, value, read);
  // Retries are over when it rejects: this is the error the application gets, unchanged.
  const onError = (error: unknown) => call.fail(error);
  if (options?.awaitedBySdk) {
    pending.then(onValue as (value: unknown) => void, onError);
    return pending;
  }
  const promise = pending as unknown as Promise<Awaited<T>>;
  if (runSafely('observing a call', () => observeSettlement(promise, onValue, onError), false)) {
    return pending;
  }
  return Promise.resolve(promise).then(
    (value) => {
      onValue(value);
      return value;
    },
    (error: unknown) => {
      onError(error);
      throw error;
    },
  ) as T;
}

/** {@link runInCall} then {@link settle}: the whole life of a call whose SDK method returns a promise. */
export function runCall<T>(
  call: GenAICall,
  run: () => T,
  read: (value: Awaited<T>) => ReadResult,
  options?: SettleOptions,
): T {
  return settle(call, runInCall(call, run), read, options);
}

/**
 * Reads a response into `call` (`read.call(thisArg, value)`), then ends it
 * unless `read` returned `true` (a stream took it over). Never throws.
 */
export function readResponse<T>(
  call: GenAICall,
  value: T,
  read: (value: T) => ReadResult,
  thisArg?: unknown,
): void {
  if (call.ended) return;
  let streaming: ReadResult;
  try {
    streaming = read.call(thisArg, value);
  } catch (error) {
    logOnce('reading a response', error);
  }
  if (streaming !== true) call.end();
}
