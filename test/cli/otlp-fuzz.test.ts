/**
 * Property-based fuzzing of `aicost up`'s OTLP decoders (protobuf and JSON)
 * through the real receiver and the real engine: whatever the body, the
 * answer is 200 or 4xx (never 5xx, never a stall), the collector's memory
 * stays bounded, and the next good request is stored. Fixed seed and a time
 * limit, so a run is reproducible and bounded.
 */

import { readFileSync } from 'node:fs';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TIMEOUT, type Collector, makeSpans, startCollector } from './support.js';

const SEED = 20261207;
const TIME_LIMIT_MS = 30_000;
const MiB = 1024 * 1024;

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

async function post(collector: Collector, body: Uint8Array | string, contentType: string) {
  const res = await fetch(`${collector.otlpUrl}/v1/traces`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': contentType },
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

let goodRequests = 0;
/** A good span with a name of its own, posted and then counted in the store. */
async function goodRequestStored(collector: Collector): Promise<boolean> {
  const name = `fuzz-good-${++goodRequests}`;
  const spans = makeSpans([{ name, attributes: { 'gen_ai.operation.name': 'chat' } }]);
  const status = await post(
    collector,
    ProtobufTraceSerializer.serializeRequest(spans)!,
    'application/x-protobuf',
  );
  if (status !== 200) return false;
  const res = await fetch(
    `${collector.clickhouseUrl}/?query=${encodeURIComponent(`SELECT count() FROM otel.otel_traces WHERE SpanName = '${name}'`)}`,
    { headers: collector.authHeaders },
  );
  return (await res.text()).trim() === '1';
}

/** A valid OTLP/JSON span whose fields the fuzzer replaces. */
const validSpan = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  parentSpanId: '',
  name: 'fuzz',
  kind: 3,
  startTimeUnixNano: '1800000000000000000',
  endTimeUnixNano: '1800000001000000000',
  attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }],
  events: [{ timeUnixNano: '1800000000500000000', name: 'e', attributes: [] }],
  links: [],
  status: { code: 1, message: '' },
};

/** JSON values a hostile sender might put anywhere: wrong types, huge claims, deep nesting. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    { length: 50_000_000 },
    '9'.repeat(100_000),
    'ab'.repeat(50_000),
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER,
    '18446744073709551616',
    { low: 1, high: 2 },
    { stringValue: { length: 1e9 } },
    [[[[[[[[[[]]]]]]]]]],
  ),
);

const jsonBody = fc
  .record({
    field: fc.constantFrom(
      ...Object.keys(validSpan),
      'attributes.0.value',
      'attributes.0.key',
      'events.0.timeUnixNano',
    ),
    value: hostileValue,
    wrapper: fc.constantFrom('span', 'scopeSpans', 'resourceSpans', 'root'),
  })
  .map(({ field, value, wrapper }) => {
    const span: Record<string, unknown> = structuredClone(validSpan);
    const path = field.split('.');
    let target: Record<string, unknown> = span;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[path.at(-1)!] = value;
    const request =
      wrapper === 'span'
        ? { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }
        : wrapper === 'scopeSpans'
          ? { resourceSpans: [{ scopeSpans: value }] }
          : wrapper === 'resourceSpans'
            ? { resourceSpans: value }
            : value;
    return JSON.stringify(request) ?? 'null';
  });

/** Valid protobuf bodies with bytes flipped, cut, or spliced; and plain random bytes. */
const protobufBody = (valid: Uint8Array) =>
  fc.oneof(
    fc
      .record({ at: fc.nat(valid.length - 1), byte: fc.integer({ min: 0, max: 255 }), count: fc.nat(8) })
      .map(({ at, byte, count }) => {
        const copy = Uint8Array.from(valid);
        for (let i = 0; i <= count; i++) copy[(at + i * 7) % copy.length] = byte ^ (i * 31);
        return copy;
      }),
    fc.nat(valid.length).map((cut) => valid.subarray(0, cut)),
    fc.uint8Array({ maxLength: 64 }).map((junk) => Uint8Array.from([...valid.subarray(0, 20), ...junk])),
    // A length-delimited field that claims far more bytes than follow.
    fc.integer({ min: 1, max: 0x0fffffff }).map((len) => {
      const varint: number[] = [];
      for (let v = len; ; v >>>= 7) {
        if (v < 0x80) {
          varint.push(v);
          break;
        }
        varint.push((v & 0x7f) | 0x80);
      }
      return Uint8Array.from([0x0a, ...varint, 0x0a, 0x00]);
    }),
    fc.uint8Array({ maxLength: 256 }),
  );

describe('OTLP decoders under fuzzing (fixed seed, bounded time)', {
  timeout: CHILD_PROCESS_TIMEOUT + 120_000,
}, () => {
  let collector: Collector;
  let baseline: number;

  beforeAll(async () => {
    collector = await startCollector({ args: ['--no-prices'] });
    baseline = peakRss(collector.process.pid!);
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('answers every JSON body with 200 or 4xx and keeps storing good requests', async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const status = await post(collector, body, 'application/json');
        expect([200, 400, 413]).toContain(status);
        expect(await goodRequestStored(collector)).toBe(true);
      }),
      { seed: SEED, numRuns: 300, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    expect(peakRss(collector.process.pid!) - baseline).toBeLessThan(512 * MiB);
  });

  it('answers every protobuf body with 200 or 4xx and keeps storing good requests', async () => {
    const valid = ProtobufTraceSerializer.serializeRequest(
      makeSpans([
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.usage.input_tokens': 12,
            'x.list': ['a', 'b'],
          },
          events: [{ name: 'e', attributes: { k: 'v' } }],
        },
      ]),
    )!;
    await fc.assert(
      fc.asyncProperty(protobufBody(valid), async (body) => {
        const status = await post(collector, body, 'application/x-protobuf');
        expect([200, 400, 413]).toContain(status);
        expect(await goodRequestStored(collector)).toBe(true);
      }),
      { seed: SEED, numRuns: 300, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    expect(peakRss(collector.process.pid!) - baseline).toBeLessThan(512 * MiB);
  });
});
