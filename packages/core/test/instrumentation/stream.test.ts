import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { observeStream, type StreamObserver } from '../../src/instrumentation/stream.js';

/** A minimal Stainless-style stream: an own `iterator` factory, single consumption, `tee()` over `iterator()`. */
class StainlessLikeStream<T> {
  iterator: () => AsyncIterator<T>;
  constructor(
    items: T[],
    readonly controller = new AbortController(),
    failAt?: number,
  ) {
    let consumed = false;
    const abortController = this.controller;
    const signal = abortController.signal;
    this.iterator = async function* () {
      if (consumed) throw new Error('Cannot iterate over a consumed stream');
      consumed = true;
      let done = false;
      try {
        for (let i = 0; i < items.length; i++) {
          await new Promise((r) => setTimeout(r, 1));
          if (signal.aborted) return; // the SDKs end quietly on abort
          if (i === failAt) throw new Error('boom');
          yield items[i]!;
        }
        done = true;
      } finally {
        if (!done) abortController.abort();
      }
    };
  }
  [Symbol.asyncIterator]() {
    return this.iterator();
  }
  tee(): [AsyncIterable<T>, AsyncIterable<T>] {
    const source = this.iterator();
    const queues: Array<Array<Promise<IteratorResult<T>>>> = [[], []];
    const branch = (i: number): AsyncIterable<T> => ({
      [Symbol.asyncIterator]: () => ({
        next: () => {
          if (queues[i]!.length === 0) {
            const p = source.next();
            queues[0]!.push(p);
            queues[1]!.push(p);
          }
          return queues[i]!.shift()!;
        },
      }),
    });
    return [branch(0), branch(1)];
  }
}

function spyObserver<T>(extra: Partial<StreamObserver<T>> = {}) {
  const seen: T[] = [];
  const observer = {
    ...extra,
    onChunk: vi.fn((chunk: T) => void seen.push(chunk)),
    onDone: vi.fn(),
    onError: vi.fn(),
    onAbandon: vi.fn(),
  };
  return { observer, seen };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('observeStream', () => {
  it('returns the same object and sees every chunk, then reports done once', async () => {
    const stream = new StainlessLikeStream([1, 2, 3]);
    const { observer, seen } = spyObserver<number>();
    expect(observeStream(stream, observer)).toBe(stream);
    expect(await collect(stream)).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
    expect(observer.onDone).toHaveBeenCalledTimes(1);
    expect(observer.onError).not.toHaveBeenCalled();
    expect(observer.onAbandon).not.toHaveBeenCalled();
  });

  it('reports a source error once and rethrows the same error', async () => {
    const stream = new StainlessLikeStream([1, 2, 3], undefined, 1);
    const { observer } = spyObserver<number>();
    observeStream(stream, observer);
    const error = await collect(stream).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    expect(observer.onError).toHaveBeenCalledTimes(1);
    expect(observer.onError.mock.calls[0]![0]).toBe(error);
    expect(observer.onDone).not.toHaveBeenCalled();
  });

  it('reports an abandon on break, not an abort, although the SDK aborts its controller', async () => {
    const stream = new StainlessLikeStream([1, 2, 3]);
    const { observer } = spyObserver<number>({ signal: undefined });
    observeStream(stream, { ...observer, signal: stream.controller.signal });
    for await (const item of stream) if (item === 1) break;
    await new Promise((r) => setTimeout(r, 5));
    expect(stream.controller.signal.aborted).toBe(true);
    expect(observer.onAbandon).toHaveBeenCalledTimes(1);
    expect(observer.onError).not.toHaveBeenCalled();
    expect(observer.onDone).not.toHaveBeenCalled();
  });

  it('turns an abort during iteration into one error even though the iteration ends quietly', async () => {
    const stream = new StainlessLikeStream([1, 2, 3, 4]);
    const { observer } = spyObserver<number>();
    observeStream(stream, { ...observer, signal: stream.controller.signal });
    const got: number[] = [];
    for await (const item of stream) {
      got.push(item);
      if (item === 2) stream.controller.abort();
    }
    expect(got).toEqual([1, 2]);
    expect(observer.onError).toHaveBeenCalledTimes(1);
    expect((observer.onError.mock.calls[0]![0] as Error).name).toBe('AbortError');
    expect(observer.onDone).not.toHaveBeenCalled();
  });

  it('ends with an error when the request is aborted while nobody iterates', async () => {
    const stream = new StainlessLikeStream([1, 2]);
    const { observer } = spyObserver<number>();
    observeStream(stream, { ...observer, signal: stream.controller.signal });
    stream.controller.abort();
    await new Promise((r) => setTimeout(r, 1));
    expect(observer.onError).toHaveBeenCalledTimes(1);
  });

  it('hides chunks from the application while the observer still sees them', async () => {
    const stream = new StainlessLikeStream([1, 2, 3, 4]);
    const { observer, seen } = spyObserver<number>({ hideChunk: (n: number) => n % 2 === 0 });
    observeStream(stream, observer);
    expect(await collect(stream)).toEqual([1, 3]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(observer.onDone).toHaveBeenCalledTimes(1);
  });

  it('keeps tee() working: both branches get every chunk and the observer sees each once', async () => {
    const stream = new StainlessLikeStream(['a', 'b', 'c']);
    const { observer, seen } = spyObserver<string>();
    observeStream(stream, observer);
    const [left, right] = stream.tee();
    const [l, r] = await Promise.all([collect(left), collect(right)]);
    expect(l).toEqual(['a', 'b', 'c']);
    expect(r).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(observer.onDone).toHaveBeenCalledTimes(1);
  });

  it('leaves a second iteration to behave as without instrumentation', async () => {
    const stream = new StainlessLikeStream([1]);
    const { observer } = spyObserver<number>();
    observeStream(stream, observer);
    await collect(stream);
    await expect(collect(stream)).rejects.toThrow('Cannot iterate over a consumed stream');
    expect(observer.onDone).toHaveBeenCalledTimes(1);
    expect(observer.onError).not.toHaveBeenCalled();
  });

  it('observes an async generator in place, including direct next() calls', async () => {
    async function* gen() {
      yield 'x';
      yield 'y';
    }
    const g = gen();
    const { observer, seen } = spyObserver<string>();
    expect(observeStream(g, observer)).toBe(g);
    expect(await g.next()).toEqual({ value: 'x', done: false });
    expect(await collect(g)).toEqual(['y']);
    expect(seen).toEqual(['x', 'y']);
    expect(observer.onDone).toHaveBeenCalledTimes(1);
  });

  it('observes a plain async iterable through Symbol.asyncIterator', async () => {
    const iterable = {
      async *[Symbol.asyncIterator]() {
        yield 1;
        yield 2;
      },
    };
    const { observer, seen } = spyObserver<number>();
    observeStream(iterable, observer);
    expect(await collect(iterable)).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    expect(observer.onDone).toHaveBeenCalledTimes(1);
  });

  it('swallows observer failures: the application still gets every chunk', async () => {
    const stream = new StainlessLikeStream([1, 2]);
    const onDone = vi.fn();
    observeStream(stream, {
      onChunk: () => {
        throw new Error('observer bug');
      },
      onDone,
    });
    expect(await collect(stream)).toEqual([1, 2]);
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it('ends a stream the application drops without reading as abandoned, once it is collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const onAbandon = vi.fn();
    const onHalfRead = vi.fn();
    await (async () => {
      observeStream(new StainlessLikeStream([1, 2]), { onAbandon });
      const halfRead = new StainlessLikeStream([1, 2, 3]);
      observeStream(halfRead, { onAbandon: onHalfRead });
      const iterator = halfRead[Symbol.asyncIterator]();
      await iterator.next();
    })();
    for (
      let i = 0;
      i < 50 && (onAbandon.mock.calls.length === 0 || onHalfRead.mock.calls.length === 0);
      i++
    ) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(onAbandon).toHaveBeenCalledTimes(1);
    expect(onHalfRead).toHaveBeenCalledTimes(1);
  });

  it('does not end a stream that is still being read when the stream object itself is collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const onDone = vi.fn();
    const onAbandon = vi.fn();
    const iterator = (() => {
      const stream = new StainlessLikeStream([1, 2]);
      observeStream(stream, { onDone, onAbandon });
      return stream[Symbol.asyncIterator]();
    })();
    await iterator.next();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(onAbandon).not.toHaveBeenCalled();
    while (!(await iterator.next()).done) {
      // read to the end
    }
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it('leaves a non-iterable value untouched', () => {
    const value = { a: 1 };
    expect(observeStream(value, {})).toBe(value);
    expect(Object.keys(value)).toEqual(['a']);
  });
});
