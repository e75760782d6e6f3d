/**
 * observeSettlement on plain promises: what the application can see of a
 * watched promise, and when a rejection counts as asked for. (Unhandled
 * rejections themselves are counted in child processes, in
 * unchanged-behaviour.test.ts: the test runner fails on them.)
 */
import { inspect, types } from 'node:util';
import { describe, expect, it } from 'vitest';
import { observeSettlement } from '../../src/instrumentation/settlement.js';

const noop = () => {};

async function later<T>(value: T): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return value;
}

describe('observeSettlement', () => {
  it('reports the value before the reactions registered after it', async () => {
    const order: string[] = [];
    const promise = later(42);
    expect(observeSettlement(promise, (value) => order.push(`observed ${value}`), noop)).toBe(true);
    promise.then((value) => order.push(`app ${value}`));
    await promise;
    expect(order).toEqual(['observed 42', 'app 42']);
  });

  it('reports the error, and the application still gets it', async () => {
    const error = new TypeError('boom');
    const promise = later(0).then(() => Promise.reject(error));
    const seen: unknown[] = [];
    observeSettlement(promise, noop, (e) => seen.push(e));
    await expect(promise).rejects.toBe(error);
    expect(seen).toEqual([error]);
  });

  it('looks like a plain promise, and is one again once the application reacts', async () => {
    const promise = later('x');
    observeSettlement(promise, noop, noop);
    expect(promise).toBeInstanceOf(Promise);
    expect(types.isPromise(promise)).toBe(true);
    expect(Object.getOwnPropertyNames(promise)).toEqual([]);
    expect(inspect(promise)).toBe('Promise { <pending> }');
    expect(await promise).toBe('x');
    expect(Object.getPrototypeOf(promise)).toBe(Promise.prototype);
    expect(promise.constructor).toBe(Promise);
  });

  it('keeps an assignment to constructor, as on a plain promise', () => {
    const promise = later(1);
    observeSettlement(promise, noop, noop);
    class Other {}
    (promise as { constructor: unknown }).constructor = Other;
    expect(promise.constructor).toBe(Other);
  });

  it('survives a promise frozen before the application reacts', async () => {
    const promise = later(7);
    observeSettlement(promise, noop, noop);
    Object.freeze(promise);
    expect(await promise).toBe(7);
  });

  it('leaves alone what is not a plain native promise', () => {
    class Subclass<T> extends Promise<T> {}
    const subclassed = new Subclass<number>((resolve) => resolve(1));
    // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is the case under test
    const thenable = { then: noop } as unknown as Promise<unknown>;
    expect(observeSettlement(subclassed, noop, noop)).toBe(false);
    expect(Object.getPrototypeOf(subclassed)).toBe(Subclass.prototype);
    expect(observeSettlement(thenable, noop, noop)).toBe(false);
  });

  it('never throws into the application when observing fails', async () => {
    const promise = later(3);
    observeSettlement(
      promise,
      () => {
        throw new Error('our bug');
      },
      noop,
    );
    expect(await promise).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
});
