/**
 * The application's observable behaviour is the same with and without the
 * instrumentation: each scenario runs bare, then instrumented, against the
 * same mock responses, and the outcomes are deep-compared.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { captureWarnings, outcomeOf, requestThrowingOn } from '../../../test/support/hostile-request.js';
import { httpError, json } from '../../../test/support/mock-server.js';
import { chatStream, fixture, responseStream, type SDK, SDKS, settle, setup } from './setup.js';

/**
 * Microtask turns until `run()` settles, counted by a chain of resolved
 * promises running beside it. Deterministic when the call involves no I/O
 * (a `fetch` that answers at once), so equal counts mean the application sees
 * its result at the same turn, with or without instrumentation.
 */
async function microtasksUntilSettled(run: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let settled = false;
  const outcome = run().finally(() => {
    settled = true;
  });
  const turn = (): Promise<void> =>
    settled || turns > 5_000
      ? Promise.resolve()
      : Promise.resolve().then(() => {
          turns++;
          return turn();
        });
  await turn();
  await outcome;
  return turns;
}

const t = await setup();
afterAll(() => t.close());

async function bareAndInstrumented<T>(scenario: () => Promise<T>): Promise<[T, T]> {
  t.unpatch();
  let bare: T;
  try {
    bare = await scenario();
  } finally {
    t.patch();
  }
  const instrumented = await scenario();
  return [bare, instrumented];
}

/** A value as the application can observe it: own enumerable data, plus the SDK's `_request_id`. */
const observable = (value: any) => ({
  data: JSON.parse(JSON.stringify(value)),
  ownKeys: Reflect.ownKeys(value).map(String).sort(),
  requestId: value?._request_id,
  prototype: Object.getPrototypeOf(value)?.constructor?.name,
});

const errorOutcome = async (run: () => Promise<unknown>) => {
  try {
    await run();
    return { threw: false };
  } catch (error: any) {
    return {
      threw: true,
      class: error.constructor.name,
      message: error.message,
      status: error.status,
      code: error.code,
    };
  }
};

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };

describe.each(SDKS)('observable behaviour is unchanged ($name)', (sdk: SDK) => {
  const client = () => t.client(sdk, { maxRetries: 1 });

  it('adds no microtask before the application gets its result (await, withResponse)', async () => {
    const body = JSON.stringify(fixture('chat-completion'));
    const answering = new sdk.OpenAI({
      apiKey: 'sk-test',
      baseURL: 'https://api.openai.com/v1',
      maxRetries: 0,
      fetch: async () => new Response(body, { headers: { 'content-type': 'application/json' } }),
    });
    const create = () => answering.chat.completions.create(CHAT);
    const [bare, instrumented] = await bareAndInstrumented(async () => ({
      awaited: await microtasksUntilSettled(() => create()),
      withResponse: await microtasksUntilSettled(() => create().withResponse()),
    }));
    expect(bare.awaited).toBeLessThan(5_000);
    expect(instrumented).toEqual(bare);
    // The call was recorded all the same.
    expect(t.otel.spans().some((span) => span.attributes['server.address'] === 'api.openai.com')).toBe(true);
  });

  it('chat completion result', async () => {
    t.server.on(
      'POST',
      '/v1/chat/completions',
      json(fixture('chat-completion'), { headers: { 'x-request-id': 'req_1' } }),
    );
    const [bare, instrumented] = await bareAndInstrumented(async () =>
      observable(await client().chat.completions.create(CHAT)),
    );
    expect(instrumented).toEqual(bare);
    expect(bare.requestId).toBe('req_1');
  });

  it('streamed chat chunks and the stream object', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { splitBytes: 29 }));
    const [bare, instrumented] = await bareAndInstrumented(async () => {
      const stream = await client().chat.completions.create({
        ...CHAT,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return {
        chunks,
        class: stream.constructor.name,
        hasController: stream.controller instanceof AbortController,
      };
    });
    expect(instrumented).toEqual(bare);
  });

  it('Responses stream events', async () => {
    t.server.on('POST', '/v1/responses', responseStream('response-stream'));
    const [bare, instrumented] = await bareAndInstrumented(async () => {
      const stream = await client().responses.create({ model: 'gpt-4.1', input: 'story', stream: true });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    });
    expect(instrumented).toEqual(bare);
  });

  it('withResponse() data and response', async () => {
    t.server.on(
      'POST',
      '/v1/chat/completions',
      json(fixture('chat-completion'), { headers: { 'x-request-id': 'req_2' } }),
    );
    const [bare, instrumented] = await bareAndInstrumented(async () => {
      const { data, response, request_id } = await client().chat.completions.create(CHAT).withResponse();
      return { data: observable(data), status: response.status, bodyUsed: response.bodyUsed, request_id };
    });
    expect(instrumented).toEqual(bare);
  });

  it('asResponse() raw body', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const [bare, instrumented] = await bareAndInstrumented(async () => {
      const response = await client().chat.completions.create(CHAT).asResponse();
      return { status: response.status, bodyUsed: response.bodyUsed, body: await response.text() };
    });
    expect(instrumented).toEqual(bare);
  });

  it('structured output parse()', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion-structured')));
    const [bare, instrumented] = await bareAndInstrumented(async () =>
      observable(
        await client().chat.completions.parse({
          ...CHAT,
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'event',
              strict: true,
              schema: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  date: { type: 'string' },
                  participants: { type: 'array', items: { type: 'string' } },
                },
                required: ['name', 'date', 'participants'],
                additionalProperties: false,
              },
            },
          },
        }),
      ),
    );
    expect(instrumented).toEqual(bare);
  });

  it('embeddings result', async () => {
    t.server.on('POST', '/v1/embeddings', json(fixture('embeddings')));
    const [bare, instrumented] = await bareAndInstrumented(async () =>
      observable(await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })),
    );
    expect(instrumented).toEqual(bare);
  });

  it('an HTTP error after retries', async () => {
    const [bare, instrumented] = await bareAndInstrumented(async () => {
      t.server.on('POST', '/v1/chat/completions', httpError(429, fixture('error-rate-limit')));
      return errorOutcome(() => client().chat.completions.create(CHAT));
    });
    expect(instrumented).toEqual(bare);
    expect(bare.class).toBe('RateLimitError');
  });

  it('the returned promise is still the SDK APIPromise', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const promise = client().chat.completions.create(CHAT);
    expect(promise).toBeInstanceOf(sdk.module.APIPromise);
    expect(promise).toBeInstanceOf(Promise);
    await promise;
    await settle();
  });
});

describe.each(SDKS)('a request aicost cannot read ($name)', (sdk: SDK) => {
  const client = () => t.client(sdk, { maxRetries: 0 });

  /** Bare, then instrumented: the outcomes, the spans left open and aicost's warnings. */
  async function run(request: object) {
    t.server.reset();
    t.otel.reset();
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const warnings = captureWarnings();
    try {
      const [bare, instrumented] = await bareAndInstrumented(() =>
        outcomeOf(() => client().chat.completions.create(request)),
      );
      await settle();
      return { bare, instrumented, warnings: warnings.messages() };
    } finally {
      warnings.restore();
    }
  }

  it.each([
    ['describing it (temperature)', 'temperature'],
    ['deciding on stream usage (stream_options)', 'stream_options'],
  ])('fails %s: the SDK runs untouched, with one warning', async (_, key) => {
    const { bare, instrumented, warnings } = await run(requestThrowingOn({ ...CHAT }, key));
    expect(instrumented).toEqual(bare);
    expect(t.otel.openSpans()).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('starting an OpenAI span failed')]);
  });

  it('fails reading its messages for content capture: the call is recorded without them and its span ends', async () => {
    t.instrumentation.setConfig({ captureMessageContent: true });
    try {
      // `tool_calls` is not an own property: only aicost's content capture looks it up.
      const message = requestThrowingOn({ role: 'user', content: 'Hello' }, 'tool_calls');
      const { bare, instrumented, warnings } = await run({ ...CHAT, messages: [message] });
      expect(instrumented).toEqual(bare);
      expect(t.otel.openSpans()).toEqual([]);
      const [span] = await t.otel.waitForSpans(1);
      expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(19);
      expect(span!.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(warnings).toEqual([expect.stringContaining('capturing OpenAI input content failed')]);
    } finally {
      t.instrumentation.setConfig({});
    }
  });
});
