/**
 * The call lifecycle every instrumentation shares: runCall/settle (a promise
 * observed on the side), observeCompletionStream (a stream ends the call), and
 * observeAPIPromise (a Stainless APIPromise, read once, by whoever asks).
 * The real SDKs are exercised by each instrumentation's own tests; here the
 * APIPromise is a small class with the Stainless shape.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../../../../test/support/otel.js';
import { observeAPIPromise } from '../../src/instrumentation/api-promise.js';
import { runCall } from '../../src/instrumentation/call.js';
import { observeCompletionStream } from '../../src/instrumentation/completion-stream.js';
import { createGenAIRecorder, type GenAICall } from '../../src/instrumentation/recorder.js';
import { readRequestAttributes } from '../../src/instrumentation/request-attributes.js';
import { observeSettlement } from '../../src/instrumentation/settlement.js';
import type { TokenUsage } from '../../src/types.js';

const otel = createOtelHarness();
afterAll(() => otel.shutdown());
beforeEach(() => otel.reset());

const recorder = createGenAIRecorder({
  tracer: trace.getTracer('@aicost/test-call'),
  captureContent: false,
  instrumentationName: '@aicost/test-call',
});

const start = (stream = false): GenAICall =>
  recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', stream });

const usage = (inputTokens: number, outputTokens: number): TokenUsage => ({
  inputTokens,
  outputTokens,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('runCall', () => {
  it('returns the SDK promise itself, runs the method inside the span, and reads the value before the app', async () => {
    const call = start();
    const order: string[] = [];
    let activeSpan: unknown;
    const pending = Promise.resolve({ tokens: 7 });
    const returned = runCall(
      call,
      () => {
        activeSpan = trace.getActiveSpan();
        return pending;
      },
      (value) => {
        order.push('read');
        call.setUsage(usage(value.tokens, 1));
      },
    );
    expect(returned).toBe(pending);
    expect(activeSpan).toBe(call.span);
    returned.then(() => order.push('app'));
    await returned;
    expect(order).toEqual(['read', 'app']);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(7);
    expect(call.ended).toBe(true);
  });

  it('fails the call with the error the application gets, thrown or rejected, unchanged', async () => {
    const thrown = new TypeError('bad arguments');
    expect(() =>
      runCall(
        start(),
        () => {
          throw thrown;
        },
        () => {},
      ),
    ).toThrow(thrown);
    const rejected = new Error('429');
    const failing = runCall(
      start(),
      () => Promise.reject(rejected),
      () => {},
    );
    await expect(failing).rejects.toBe(rejected);
    const spans = await otel.waitForSpans(2);
    expect(spans.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(spans.map((span) => span.attributes['error.type'])).toEqual(['TypeError', 'Error']);
  });

  it('ends the call even when reading the response throws, and the application still gets its value', async () => {
    const call = start();
    const value = await runCall(
      call,
      () => Promise.resolve('ok'),
      () => {
        throw new Error('reader bug');
      },
    );
    expect(value).toBe('ok');
    expect(call.ended).toBe(true);
  });

  it('a thenable that is not a native promise gets a derived promise that rejects the same way', async () => {
    const error = new Error('down');
    // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is the case under test
    const thenable = { then: (_: unknown, reject: (e: unknown) => void) => reject(error) };
    const call = start();
    const returned = runCall(
      call,
      () => thenable,
      () => {},
    );
    expect(returned).not.toBe(thenable);
    await expect(returned).rejects.toBe(error);
    expect(call.ended).toBe(true);
  });
});

async function* chunks(items: Array<{ text?: string; usage?: [number, number] }>, failAt?: number) {
  for (const [index, item] of items.entries()) {
    if (index === failAt) throw new Error('connection reset');
    yield item;
  }
}

function streamReader(call: GenAICall) {
  let seen: [number, number] | undefined;
  return {
    add(chunk: { text?: string; usage?: [number, number] }) {
      if (chunk.usage) seen = chunk.usage;
      return chunk.text !== undefined;
    },
    finish() {
      if (seen) call.setUsage(usage(...seen));
    },
  };
}

describe('observeCompletionStream', () => {
  const items = [
    { text: 'a' },
    { text: 'b', usage: [3, 1] as [number, number] },
    { usage: [3, 2] as [number, number] },
  ];

  it('ends the call with the stream, not with the promise that delivered it', async () => {
    const call = start(true);
    const stream = chunks(items);
    await runCall(
      call,
      () => Promise.resolve(stream),
      (value) => observeCompletionStream(call, value, streamReader(call)),
    );
    expect(call.ended).toBe(false);
    const seen: unknown[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toEqual(items);
    expect(call.ended).toBe(true);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(2);
    expect(span!.attributes['aicost.cost.status_reason']).not.toBe('partial_stream');
  });

  it('a stream left early prices what was seen as a partial stream', async () => {
    const call = start(true);
    const stream = chunks(items);
    observeCompletionStream(call, stream, streamReader(call));
    for await (const chunk of stream) if (chunk.usage) break;
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(1);
    expect(span!.attributes['aicost.cost.status_reason']).toBe('partial_stream');
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('a broken stream fails the call with the error the application gets (or the one errorOf names)', async () => {
    const call = start(true);
    const stream = chunks(items, 2);
    const named = new Error('aborted');
    observeCompletionStream(call, stream, streamReader(call), { errorOf: () => named });
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow('connection reset');
    const [span] = await otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events[0]!.attributes!['exception.message']).toBe('aborted');
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(1);
  });

  it('something that is not a stream ends the call unpriced, never left open', async () => {
    const call = start(true);
    expect(observeCompletionStream(call, { not: 'a stream' }, streamReader(call))).toBe(false);
    expect(call.ended).toBe(true);
  });

  it('follows a ReadableStream read through getReader() when asked to', async () => {
    const call = start(true);
    const stream = new ReadableStream({
      start(controller) {
        for (const item of items) controller.enqueue(item);
        controller.close();
      },
    });
    observeCompletionStream(call, stream, streamReader(call), { readers: true });
    const reader = stream.getReader();
    while (!(await reader.read()).done);
    expect(call.ended).toBe(true);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(2);
  });
});

/** A small promise with the shape of a Stainless `APIPromise` (openai, @anthropic-ai/sdk). */
class FakeAPIPromise<T> extends Promise<T> {
  parsedPromise: Promise<T> | undefined;
  constructor(
    public responsePromise: Promise<{ response: Response }>,
    public parseResponse: (client: unknown, props: { response: Response }) => Promise<T> = (_, props) =>
      props.response.json() as Promise<T>,
  ) {
    super((resolve) => resolve(null as T));
  }
  static override get [Symbol.species]() {
    return Promise;
  }
  _thenUnwrap<U>(transform: (value: T, props: unknown) => U): FakeAPIPromise<U> {
    return new FakeAPIPromise(this.responsePromise, async (client, props) =>
      transform(await this.parseResponse(client, props), props),
    );
  }
  asResponse(): Promise<Response> {
    return this.responsePromise.then((props) => props.response);
  }
  async withResponse() {
    const [data, response] = await Promise.all([this.parse(), this.asResponse()]);
    return { data, response };
  }
  parse(): Promise<T> {
    this.parsedPromise ??= this.responsePromise.then((props) => this.parseResponse(undefined, props));
    return this.parsedPromise;
  }
  // biome-ignore lint/suspicious/noThenProperty: the Stainless APIPromise parses on then
  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.parse().then(onfulfilled, onrejected);
  }
}

const completion = { id: 'c-1', usage: [11, 4] as [number, number] };

function apiCall(body: string = JSON.stringify(completion)) {
  const response = new Response(body, { headers: { 'content-type': 'application/json' } });
  const promise = new FakeAPIPromise<typeof completion>(Promise.resolve({ response }));
  const call = start();
  let reads = 0;
  const headers: string[] = [];
  observeAPIPromise(promise, call, {
    stream: false,
    read(value) {
      reads++;
      call.setUsage(usage(...(value as typeof completion).usage));
    },
    onResponse(raw) {
      headers.push(raw.headers.get('content-type')!);
    },
  });
  return { promise, call, reads: () => reads, headers, response };
}

describe('observeAPIPromise', () => {
  it('await: the same object, read once from the SDK parse', async () => {
    const { promise, call, reads, headers } = apiCall();
    expect(await promise).toEqual(completion);
    await tick();
    expect(reads()).toBe(1);
    expect(headers).toEqual(['application/json']);
    expect(call.ended).toBe(true);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(11);
  });

  it('withResponse(): the call ends once, with the parsed value', async () => {
    const { promise, reads } = apiCall();
    const { data, response } = await promise.withResponse();
    expect(data).toEqual(completion);
    expect(response.bodyUsed).toBe(true);
    await tick();
    expect(reads()).toBe(1);
    expect(await otel.waitForSpans(1)).toHaveLength(1);
  });

  it('asResponse(): the application gets an unread body; usage comes from a clone', async () => {
    const { promise, reads } = apiCall();
    const response = await promise.asResponse();
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual(completion);
    await tick();
    expect(reads()).toBe(1);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(4);
  });

  it('asResponse() with a body that is not JSON: the call records the error the app will meet', async () => {
    const { promise } = apiCall('{oops');
    const response = await promise.asResponse();
    await tick();
    const [span] = await otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    await expect(response.json()).rejects.toThrow();
  });

  it('fire-and-forget: nobody asks, the call still ends priced', async () => {
    const { reads } = apiCall();
    await tick();
    expect(reads()).toBe(1);
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(11);
  });

  it('a derived promise (an SDK helper) delivers the untransformed value once', async () => {
    const { promise, reads } = apiCall();
    const derived = promise._thenUnwrap((value) => ({ parsed: value.id }));
    expect(await derived).toEqual({ parsed: 'c-1' });
    await tick();
    expect(reads()).toBe(1);
  });

  it('a failed request fails the call once and reaches the application unchanged', async () => {
    const error = new Error('500 Internal Server Error');
    const promise = new FakeAPIPromise(Promise.reject(error));
    const call = start();
    observeAPIPromise(promise, call, { stream: false, read() {} });
    await expect(promise).rejects.toBe(error);
    const [span] = await otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('anything else is left alone', () => {
    expect(observeAPIPromise(Promise.resolve(1), start(), { stream: false, read() {} })).toBe(false);
  });
});

describe('readRequestAttributes', () => {
  it('reads the numbers a table names, stop sequences as strings, the choice count when not 1', () => {
    const table = { 'gen_ai.request.temperature': 'temperature', 'gen_ai.request.top_p': 'topP' };
    expect(
      readRequestAttributes({ temperature: 0.2, topP: '0.9', stop: 'END', n: 2 }, table, {
        stop: 'stop',
        choiceCount: 'n',
      }),
    ).toEqual({
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.choice.count': 2,
    });
    expect(
      readRequestAttributes({ n: 1, stop: ['a', 3] }, table, { stop: 'stop', choiceCount: 'n' }),
    ).toEqual({});
  });
});

describe('one way to keep unhandled-rejection parity', () => {
  it('a watched native promise and an APIPromise both give the rejection back to the app once it asks', async () => {
    const error = new Error('nobody asked yet');
    const plain = Promise.reject(error);
    observeSettlement(
      plain,
      () => {},
      () => {},
    );
    await expect(plain).rejects.toBe(error);
    const api = new FakeAPIPromise(Promise.reject(error));
    observeAPIPromise(api, start(), { stream: false, read() {} });
    await expect(api).rejects.toBe(error);
  });
});

describe('a completion stream nobody reads', () => {
  it('ends its call as abandoned once the stream is collected (nothing of ours keeps it alive)', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const call = start(true);
    (() => {
      const stream = new ReadableStream({ start: (controller) => controller.enqueue({ text: 'a' }) });
      observeCompletionStream(call, stream, streamReader(call), { readers: true });
    })();
    for (let i = 0; i < 50 && !call.ended; i++) {
      gc();
      await tick();
    }
    expect(call.ended).toBe(true);
  });
});
