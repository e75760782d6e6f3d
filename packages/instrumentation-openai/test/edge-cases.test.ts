/**
 * The edge cases users hit (pinned by the OpenTelemetry contrib instrumentation
 * too): the application must see exactly what it would see without us, and
 * every call must end its span exactly once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { httpError, json, raw, sseChunks } from '../../../test/support/mock-server.js';
import { chatStream, fixture, SDKS, settle, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };
const STREAM_CHAT = { ...CHAT, stream: true, stream_options: { include_usage: true } };

/** Runs `scenario` without, then with, the instrumentation; returns both outcomes. */
async function withAndWithout<T>(scenario: () => Promise<T>): Promise<{ bare: T; instrumented: T }> {
  t.unpatch();
  let bare: T;
  try {
    bare = await scenario();
  } finally {
    t.patch();
  }
  t.otel.reset();
  const instrumented = await scenario();
  return { bare, instrumented };
}

const outcome = async (run: () => Promise<unknown>) => {
  try {
    return { value: await run() };
  } catch (error) {
    return { errorClass: (error as Error).constructor.name, message: (error as Error).message, error };
  }
};

describe.each(SDKS)('edge cases ($name)', (sdk) => {
  it('a 429 retried by the SDK until it gives up: one span, error.type, the same error class and message', async () => {
    const client = t.client(sdk, { maxRetries: 2 });
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.reset();
      t.server.on('POST', '/v1/chat/completions', httpError(429, fixture('error-rate-limit')));
      const result = await outcome(() => client.chat.completions.create(CHAT));
      return { ...result, requests: t.server.requests.length };
    });
    expect(instrumented.errorClass).toBe('RateLimitError');
    expect(instrumented.errorClass).toBe(bare.errorClass);
    expect(instrumented.message).toBe(bare.message);
    expect(instrumented.error).toBeInstanceOf(sdk.module.RateLimitError);
    expect(instrumented.requests).toBe(3); // the SDK's own retries happened
    await settle();
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['error.type']).toBe('RateLimitError');
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });

  it('a 500 then a success: one span, no error, priced', async () => {
    t.server.on(
      'POST',
      '/v1/chat/completions',
      httpError(500, fixture('error-server')),
      json(fixture('chat-completion')),
    );
    const client = t.client(sdk, { maxRetries: 2 });
    const completion = await client.chat.completions.create(CHAT);
    expect(completion.id).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    await settle();
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(t.server.requests).toHaveLength(2);
  });

  it('a 500 without retries: InternalServerError rethrown unchanged', async () => {
    t.server.on('POST', '/v1/chat/completions', httpError(500, fixture('error-server')));
    const client = t.client(sdk, { maxRetries: 0 });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.module.InternalServerError);
    expect((error as { status: number }).status).toBe(500);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['error.type']).toBe('InternalServerError');
    expect(span!.events[0]!.name).toBe('exception');
  });

  it('asResponse(): the body is not consumed, and the span still gets the usage', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const response = await client.chat.completions.create(CHAT).asResponse();
    expect(response.bodyUsed).toBe(false);
    expect((await response.json()).id).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(span!.attributes['aicost.cost.status']).toBeDefined();
  });

  it('invalid JSON after asResponse(): the application gets the raw body, the span records the error', async () => {
    t.server.on('POST', '/v1/chat/completions', raw('{"id": "chatcmpl-broken", '));
    const client = t.client(sdk);
    const response = await client.chat.completions.create(CHAT).asResponse();
    expect(await response.text()).toBe('{"id": "chatcmpl-broken", ');
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('SyntaxError');
  });

  it('invalid JSON when awaited: the SDK error is rethrown unchanged and recorded once', async () => {
    const client = t.client(sdk);
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.on('POST', '/v1/chat/completions', raw('{"id": '));
      return outcome(() => client.chat.completions.create(CHAT));
    });
    expect(instrumented.errorClass).toBe(bare.errorClass);
    expect(instrumented.message).toBe(bare.message);
    await settle();
    expect(t.otel.spans()).toHaveLength(1);
    expect(t.otel.spans()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('withResponse() with several observers: one span, ended once, with the usage', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const promise = client.chat.completions.create(CHAT);
    const [direct, withResponse, chained] = await Promise.all([
      promise,
      promise.withResponse(),
      promise.then((c: any) => c.id),
    ]);
    expect(withResponse.data).toBe(direct);
    expect(withResponse.response.status).toBe(200);
    expect(chained).toBe(direct.id);
    await settle();
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.usage.output_tokens']).toBe(10);
    expect(t.server.requests).toHaveLength(1);
  });

  it('a fire-and-forget request still ends its span, with the usage', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    client.chat.completions.create(CHAT); // never awaited
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(span!.attributes['gen_ai.response.id']).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
  });

  it('a result the application asks for is read once, by the SDK: the response is cloned only when nobody asks', async () => {
    // The clone (a tee of the body stream and a second JSON parse) is what prices
    // fire-and-forget and asResponse() calls; on the common path it would be pure overhead.
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const clone = vi.spyOn(Response.prototype, 'clone');
    try {
      await client.chat.completions.create(CHAT);
      await client.chat.completions.create(CHAT).then((c: any) => c.id);
      await client.chat.completions.create(CHAT).withResponse();
      await t.otel.waitForSpans(3);
      expect(clone).not.toHaveBeenCalled();

      client.chat.completions.create(CHAT); // never awaited
      await t.otel.waitForSpans(4);
      expect(clone).toHaveBeenCalledTimes(1);
    } finally {
      clone.mockRestore();
    }
    for (const span of t.otel.spans()) expect(span.attributes['gen_ai.usage.input_tokens']).toBe(19);
  });

  it('a request awaited long after the response arrived still returns the full result', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const promise = client.chat.completions.create(CHAT);
    await t.otel.waitForSpans(1);
    const completion = await promise;
    expect(completion.choices[0].message.content).toBe('Hello! How can I assist you today?');
    expect(t.otel.spans()).toHaveLength(1);
  });

  it('stream chunks without a choices array do not throw', async () => {
    const chunks = fixture('chat-stream-include-usage').chunks;
    const keepAlive = {
      id: 'chatcmpl-123',
      object: 'chat.completion.chunk',
      created: 1694268190,
      model: 'gpt-4o-mini-2024-07-18',
    };
    t.server.on('POST', '/v1/chat/completions', sseChunks([chunks[0], keepAlive, ...chunks.slice(1)]));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create(STREAM_CHAT);
    let count = 0;
    for await (const _ of stream) count++;
    expect(count).toBe(chunks.length + 1);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
  });

  it('iterating a stream twice behaves as without instrumentation', async () => {
    const client = t.client(sdk);
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
      const stream = await client.chat.completions.create(STREAM_CHAT);
      const first: unknown[] = [];
      for await (const chunk of stream) first.push(chunk);
      const second = await outcome(async () => {
        const again: unknown[] = [];
        for await (const chunk of stream) again.push(chunk);
        return again;
      });
      return { first: first.length, second: { ...second, error: undefined } };
    });
    expect(instrumented).toEqual(bare);
    await settle();
    expect(t.otel.spans()).toHaveLength(1);
    expect(t.otel.spans()[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('tee(): both branches get every chunk; one span with the usage', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create(STREAM_CHAT);
    const [left, right] = stream.tee();
    const read = async (s: AsyncIterable<any>) => {
      const ids: string[] = [];
      for await (const chunk of s)
        ids.push(chunk.usage ? '<usage>' : (chunk.choices[0]?.delta?.content ?? ''));
      return ids;
    };
    const [l, r] = await Promise.all([read(left), read(right)]);
    expect(l).toEqual(r);
    expect(l.join('')).toBe('Hello! How can I help?<usage>');
    const spans = await t.otel.waitForSpans(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.usage.output_tokens']).toBe(10);
  });

  it('toReadableStream(): the NDJSON stream carries every chunk; the span ends with the usage', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create(STREAM_CHAT);
    const text = await new Response(stream.toReadableStream()).text();
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(fixture('chat-stream-include-usage').chunks.length);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
  });

  it('controller.abort() mid-stream: the application sees what it would see bare; the span ends once, as an error', async () => {
    const client = t.client(sdk);
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.on(
        'POST',
        '/v1/chat/completions',
        chatStream('chat-stream-include-usage', { hangAfter: 2, delayMs: 40 }),
      );
      const stream = await client.chat.completions.create(STREAM_CHAT);
      const seen: string[] = [];
      const result = await outcome(async () => {
        for await (const chunk of stream) {
          seen.push(chunk.choices[0]?.delta?.content ?? '');
          if (seen.length === 1) stream.controller.abort();
        }
      });
      return { seen, errorClass: result.errorClass, message: result.message };
    });
    expect(instrumented).toEqual(bare);
    await settle(50);
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes['error.type']).toMatch(/Abort/);
    // Aborted before the usage chunk: nothing to price, never $0.
    expect(spans[0]!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(spans[0]!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
    expect(spans[0]!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('an AbortSignal aborted mid-stream: the span ends once, as an error', async () => {
    const client = t.client(sdk);
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.on(
        'POST',
        '/v1/chat/completions',
        chatStream('chat-stream-include-usage', { hangAfter: 2, delayMs: 40 }),
      );
      const abort = new AbortController();
      const stream = await client.chat.completions.create(STREAM_CHAT, { signal: abort.signal });
      const seen: string[] = [];
      const result = await outcome(async () => {
        for await (const chunk of stream) {
          seen.push(chunk.choices[0]?.delta?.content ?? '');
          if (seen.length === 1) abort.abort();
        }
      });
      return { seen, errorClass: result.errorClass, message: result.message };
    });
    expect(instrumented).toEqual(bare);
    await settle(50);
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes['error.type']).toMatch(/Abort/);
    // Aborted before the usage chunk: nothing to price, never $0.
    expect(spans[0]!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(spans[0]!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
    expect(spans[0]!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('an AbortSignal aborted before the response: the SDK error is rethrown unchanged, the span records it', async () => {
    const client = t.client(sdk);
    const { bare, instrumented } = await withAndWithout(async () => {
      t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { hangAfter: 0 }));
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 10);
      const result = await outcome(() =>
        client.chat.completions.create({ ...CHAT }, { signal: abort.signal }),
      );
      return { errorClass: result.errorClass, message: result.message };
    });
    expect(instrumented).toEqual(bare);
    expect(instrumented.errorClass).toBeDefined();
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['error.type']).toMatch(/Abort/);
  });

  it('break out of a stream: the span ends once, without error', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { delayMs: 2 }));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create(STREAM_CHAT);
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content === 'Hello') break;
    await settle(30);
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]!.attributes['gen_ai.response.id']).toBe('chatcmpl-123');
    expect(spans[0]!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(spans[0]!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });

  it('break out of a stream after its usage chunk, before its end: estimated / partial_stream from the usage seen', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { delayMs: 2 }));
    // api.openai.com (served by the mock server) so that the catalogue prices it.
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    const stream = await client.chat.completions.create(STREAM_CHAT);
    for await (const chunk of stream) if (chunk.usage) break;
    await settle(30);
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      // The stream did not reach its end: the cost is a lower bound, not `priced`.
      'aicost.cost.status': 'estimated',
      'aicost.cost.status_reason': 'partial_stream',
      // gpt-4o-mini: 19 × $0.15/M + 10 × $0.60/M
      'aicost.cost.total': '0.000008850',
    });
  });

  it('a stream the application never reads ends its span once the stream is dropped', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk);
    await (async () => {
      const stream = await client.chat.completions.create(STREAM_CHAT);
      expect(stream.controller).toBeDefined();
    })();
    for (let i = 0; i < 50 && t.otel.spans().length === 0; i++) {
      gc();
      await settle(10);
    }
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });

  it('a stream the server breaks off: the error reaches the application and the span', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { destroyAfter: 2 }));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create(STREAM_CHAT);
    const result = await outcome(async () => {
      for await (const _ of stream) {
        // drain
      }
    });
    expect(result.errorClass).toBeDefined();
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
