import { runSafely } from './safety.js';

/**
 * Observing the SDK's own promise on the side, so the application gets that very
 * object (no derived promise, no extra microtask), without taking its unhandled
 * rejection away.
 *
 * A reaction of ours (`promise.then(onValue, onError)`) marks the promise
 * handled: a failed request whose result nobody asks for (fire-and-forget)
 * would no longer be an unhandled rejection. So the rejection is re-raised, with
 * the same error, on a promise of ours until the application asks for the
 * result; asking marks it handled, as the SDK's own promise would be
 * (`rejectionHandled` if it was already reported).
 *
 * Asking is detected without wrapping anything the application calls: every way
 * of reacting to a native promise (`await`, `then`, `catch`, `finally`,
 * `Promise.all`/`race`/`resolve`, returning it from an async function) reads its
 * `constructor` first (PromiseResolve, SpeciesConstructor). The promise's
 * prototype is swapped for one that inherits from `Promise.prototype` and adds a
 * `constructor` getter; the first read restores `Promise.prototype` and answers
 * what it holds, so no tick is added and the promise is a plain one again.
 * Until then only `Object.getPrototypeOf(promise)` tells the difference
 * (`instanceof Promise`, `promise.constructor === Promise` and
 * `util.types.isPromise` hold throughout).
 *
 * Why a prototype and not an own `constructor` property: V8 gives up its
 * promise fast paths for the whole process (the "promise species" protector)
 * as soon as any promise gets an own `constructor`, which slows every `then`
 * of the application; a prototype swap only takes the slow path for this one
 * promise.
 */

/**
 * The one way aicost keeps a request's unhandled rejection: observing a request
 * handles its rejection, so {@link failed} re-raises the same error on a promise
 * of ours, unhandled, until the application asks for the result ({@link claim}),
 * which marks it handled as the SDK's own promise would be (`rejectionHandled`
 * if it was already reported). How the asking is detected depends on the
 * promise: the `constructor` read below for a native promise, the SDK's `parse`
 * and `asResponse` for a Stainless `APIPromise` (see `observeAPIPromise`).
 */
export class RejectionParity {
  private claimed = false;
  private unclaimed: Promise<never> | undefined;

  /** The application asked for the result or the raw response: from now on it handles the rejection. */
  claim(): void {
    if (this.claimed) return;
    this.claimed = true;
    this.unclaimed?.catch(() => {});
    this.unclaimed = undefined;
  }

  /** The request failed with `error` (retries over): unhandled until claimed, as it would be without us. */
  failed(error: unknown): void {
    if (!this.claimed) this.unclaimed = Promise.reject(error);
  }
}

const watches = new WeakMap<object, RejectionParity>();

/** Whether `value` can be awaited: an SDK's promise, or a promise-like object of its own. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function claim(promise: object): void {
  watches.get(promise)?.claim();
}

const WatchedPromisePrototype: object = Object.create(Promise.prototype, {
  constructor: {
    configurable: true,
    get(this: object) {
      // Unwatched first, so every later read is the ordinary one (a promise frozen
      // in the meantime keeps this prototype: changing it would throw).
      if (Object.getPrototypeOf(this) === WatchedPromisePrototype && Object.isExtensible(this)) {
        Object.setPrototypeOf(this, Promise.prototype);
      }
      claim(this);
      return (Promise.prototype as { constructor: unknown }).constructor;
    },
    set(this: object, value: unknown) {
      // What an assignment to an ordinary promise does: an own data property.
      Object.defineProperty(this, 'constructor', {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  },
});

/**
 * Calls `onValue` or `onError` when `promise` settles, before the application's
 * own reactions (ours is registered first), leaving the promise's unhandled
 * rejection to the application as described above. Returns false, having done
 * nothing, when `promise` is not a plain native promise of this realm (a
 * subclass or a foreign thenable): the caller then observes it another way.
 */
export function observeSettlement<T>(
  promise: Promise<T>,
  onValue: (value: T) => void,
  onError: (error: unknown) => void,
): boolean {
  if (
    promise === null ||
    typeof promise !== 'object' ||
    Object.getPrototypeOf(promise) !== Promise.prototype ||
    Object.hasOwn(promise, 'constructor') ||
    !Object.isExtensible(promise)
  ) {
    return false;
  }
  const parity = new RejectionParity();
  // Our reaction before the swap: registering it reads `constructor` too.
  promise.then(
    (value) => runSafely('observing a response', () => onValue(value)),
    (error: unknown) => {
      runSafely('observing a failed request', () => onError(error));
      parity.failed(error);
    },
  );
  watches.set(promise, parity);
  Object.setPrototypeOf(promise, WatchedPromisePrototype);
  return true;
}
