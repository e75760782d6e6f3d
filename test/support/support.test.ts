import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeEventStreamFrame,
  eventStream,
  httpError,
  json,
  type MockServer,
  raw,
  sseChunks,
  startMockServer,
} from './mock-server.js';
import { createOtelHarness } from './otel.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(() => server.close());

describe('mock server', () => {
  it('answers a route with its responses in order, repeating the last, and records requests', async () => {
    server.on('POST', '/v1/x', httpError(429), json({ ok: true }));
    const first = await fetch(`${server.url}/v1/x`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after-ms')).toBe('0');
    expect(await (await fetch(`${server.url}/v1/x`, { method: 'POST' })).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/v1/x?y=1`, { method: 'POST' })).json()).toEqual({ ok: true });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/x', '/v1/x', '/v1/x?y=1']);
    expect(server.requests[0]!.body).toEqual({ a: 1 });
  });

  it('streams SSE in split writes and ends with [DONE]', async () => {
    server.on('POST', '/v1/s', sseChunks([{ n: 1 }, { n: 2 }], { splitBytes: 3 }));
    const text = await (await fetch(`${server.url}/v1/s`, { method: 'POST' })).text();
    expect(text).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
  });

  it('breaks a stream off after N events', async () => {
    server.on('POST', '/v1/broken', sseChunks([{ n: 1 }, { n: 2 }, { n: 3 }], { destroyAfter: 1 }));
    const response = await fetch(`${server.url}/v1/broken`, { method: 'POST' });
    await expect(response.text()).rejects.toThrow();
  });

  it('sends a raw body verbatim and redirects fetch from any host', async () => {
    server.on('GET', '/v1/raw', raw('{not json'));
    const response = await server.fetch('https://api.groq.com/v1/raw');
    expect(await response.text()).toBe('{not json');
  });

  it('encodes AWS event-stream frames with valid lengths', async () => {
    const frame = encodeEventStreamFrame(
      { ':event-type': 'messageStart' },
      Buffer.from('{"role":"assistant"}'),
    );
    expect(frame.readUInt32BE(0)).toBe(frame.length);
    server.on(
      'POST',
      '/model/m/converse-stream',
      eventStream([{ eventType: 'messageStart', payload: { role: 'assistant' } }]),
    );
    const body = Buffer.from(
      await (await fetch(`${server.url}/model/m/converse-stream`, { method: 'POST' })).arrayBuffer(),
    );
    expect(body.readUInt32BE(0)).toBe(body.length);
    expect(body.toString('latin1')).toContain(':event-type');
  });

  it('answers unknown routes with 404', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe('otel harness', () => {
  it('collects finished spans and metrics', async () => {
    const otel = createOtelHarness();
    trace.getTracer('t').startSpan('s').end();
    expect((await otel.waitForSpans(1))[0]!.name).toBe('s');
    const meter = otel.meterProvider.getMeter('m');
    meter.createCounter('c').add(2);
    const metric = await otel.metric('c');
    expect(metric?.dataPoints[0]?.value).toBe(2);
    await otel.shutdown();
  });
});
