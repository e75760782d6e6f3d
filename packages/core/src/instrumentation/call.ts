import { context } from '@opentelemetry/api';
import type { GenAICall } from './recorder.js';
import { runSafely } from './safety.js';
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
 * to {@link observeCompletionStream}. The call then ends (a stream ends it when
 * it ends). Errors fail the call and reach the application unchanged.
 */

/** Calls whose response is a stream that ends them ({@link observeCompletionStream}), not their promise. */
const endedByStream = new WeakSet<GenAICall>();

/** Marks `call` as ended by the stream it now follows: its promise settling does not end it. */
export function endsWithStream(call: GenAICall): void {
  endedByStream.add(call);
}

/**
 * Runs `run` (the SDK method) with the call's span active. A synchronous throw
 * fails the call and is rethrown as it was.
 */
export function runInCall<T>(call: GenAICall, run: () => T): T {
  try {
    return context.with(call.context, run);
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
 * `read(value)` runs inside `runSafely`; the call ends after it, unless `read`
 * handed it to a stream ({@link observeCompletionStream}) or it already ended.
 */
export function settle<T>(
  call: GenAICall,
  pending: T,
  read: (value: Awaited<T>) => void,
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
  read: (value: Awaited<T>) => void,
  options?: SettleOptions,
): T {
  return settle(call, runInCall(call, run), read, options);
}

/** Reads a response into `call`, then ends it unless a stream took it over. Never throws. */
export function readResponse<T>(call: GenAICall, value: T, read: (value: T) => void): void {
  if (call.ended) return;
  runSafely('reading a response', () => read(value));
  if (!endedByStream.has(call)) call.end();
}
