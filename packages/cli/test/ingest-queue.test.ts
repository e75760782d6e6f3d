/**
 * The local collector's group commit, on the real engine: failures are
 * injected in front of real inserts (a transient failure of one table, a bad
 * row the engine itself refuses), and the rows the tables end up holding are
 * compared exactly: nothing written twice, nothing acknowledged and lost.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boundAddressOf } from '../src/server/access.js';
import { IngestQueue, QueueBusyError, type TableRows } from '../src/server/ingest-queue.js';
import { createOtlpReceiver } from '../src/server/otlp-http.js';
import { LocalEngine } from '../src/store/engine.js';

const dir = join(tmpdir(), `aicost-ingest-queue-${process.pid}`);
let engine: LocalEngine;

beforeAll(async () => {
  engine = await LocalEngine.open(dir, { applySchema: false });
  for (const t of ['spans', 'gauge', 'sums']) {
    await engine.query(`CREATE TABLE default.${t} (id String, n UInt32) ENGINE = MergeTree ORDER BY id`);
  }
});

afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const t of ['spans', 'gauge', 'sums']) await engine.query(`TRUNCATE TABLE default.${t}`);
});

/** Every row of a table as `id:n`, sorted (duplicates kept). */
async function rowsOf(table: string): Promise<string[]> {
  const text = (await engine.query(`SELECT id, n FROM default.${table} ORDER BY id, n`)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace('\t', ':'));
}

function rows(...ids: string[]): string {
  return ids.map((id) => `${JSON.stringify({ id, n: 1 })}\n`).join('');
}

/** A transient failure as the engine words one (not a data error). */
function transientFailure(): Error {
  return Object.assign(
    new Error('Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)'),
    {
      clickhouseCode: 241,
    },
  );
}

interface Writer {
  insert: (table: string, rows: string) => Promise<void>;
  /** Tables of every insert attempted, in order. */
  calls: string[];
}

/** Real inserts; `failWhen` decides, per attempt, whether to fail before the engine sees it. */
function writer(failWhen: (table: string, attempt: number) => boolean = () => false): Writer {
  const calls: string[] = [];
  return {
    calls,
    async insert(table, text) {
      calls.push(table);
      if (failWhen(table, calls.length)) throw transientFailure();
      await engine.insertJsonRows(`default.${table}`, text);
    },
  };
}

/** A queue whose writer waits until `release()`, so requests pile up into one group. */
function gatedQueue(w: Writer, opts: { maxQueuedBytes?: number } = {}) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const queue = new IngestQueue({
    insert: async (table, text) => {
      await gate;
      await w.insert(table, text);
    },
    maxQueuedBytes: opts.maxQueuedBytes ?? 1 << 20,
  });
  return { queue, release: open };
}

const settle = (p: Promise<void>) =>
  p.then(
    () => 'ok' as const,
    (err: unknown) => err,
  );

describe('IngestQueue', () => {
  it('writes a group with one insert per table and acknowledges every request', async () => {
    const w = writer();
    const { queue, release } = gatedQueue(w);
    const results = [
      queue.submit([{ table: 'spans', rows: rows('a') }], 'traces'),
      queue.submit([{ table: 'spans', rows: rows('b') }], 'traces'),
      queue.submit([{ table: 'spans', rows: rows('c') }], 'traces'),
    ];
    release();
    await Promise.all(results);
    expect(await rowsOf('spans')).toEqual(['a:1', 'b:1', 'c:1']);
    expect(w.calls).toEqual(['spans']);
    expect(queue.stats).toMatchObject({ batches: 1, requests: 3, failedRequests: 0 });
  });

  it('never writes trace and metric requests in one group', async () => {
    const w = writer();
    const { queue, release } = gatedQueue(w);
    const all = [
      queue.submit([{ table: 'spans', rows: rows('s0') }], 'traces'),
      queue.submit([{ table: 'spans', rows: rows('s1') }], 'traces'),
      queue.submit([{ table: 'gauge', rows: rows('g1') }], 'metrics'),
      queue.submit([{ table: 'spans', rows: rows('s2') }], 'traces'),
    ];
    release();
    await Promise.all(all);
    // s0+s1, then g1 (a metrics group), then s2: consecutive requests of one signal only.
    expect(w.calls).toEqual(['spans', 'gauge', 'spans']);
    expect(queue.stats.batches).toBe(3);
    expect(await rowsOf('spans')).toEqual(['s0:1', 's1:1', 's2:1']);
  });

  it('retries only the table that failed: rows of the table that committed are not written again', async () => {
    // The first `sums` insert fails once (the group insert); the per-request retry succeeds.
    let sumsFailures = 0;
    const w = writer((table) => table === 'sums' && sumsFailures++ === 0);
    const { queue, release } = gatedQueue(w);
    const m0 = queue.submit([{ table: 'gauge', rows: rows('g0') }], 'metrics');
    const m1 = queue.submit(
      [
        { table: 'gauge', rows: rows('g1') },
        { table: 'sums', rows: rows('s1') },
      ],
      'metrics',
    );
    const m2 = queue.submit(
      [
        { table: 'gauge', rows: rows('g2') },
        { table: 'sums', rows: rows('s2') },
      ],
      'metrics',
    );
    release();
    await Promise.all([m0, m1, m2]);
    expect(await rowsOf('gauge')).toEqual(['g0:1', 'g1:1', 'g2:1']);
    expect(await rowsOf('sums')).toEqual(['s1:1', 's2:1']);
    // gauge(g0+g1+g2) commits, sums(s1+s2) fails, then sums(s1) and sums(s2) alone.
    expect(w.calls).toEqual(['gauge', 'sums', 'sums', 'sums']);
  });

  it('refuses a request whose second table keeps failing, and its retry writes only that table', async () => {
    let failSums = true;
    const w = writer((table) => table === 'sums' && failSums);
    const queue = new IngestQueue({ insert: w.insert, maxQueuedBytes: 1 << 20 });
    const request: TableRows[] = [
      { table: 'gauge', rows: rows('g1') },
      { table: 'sums', rows: rows('s1') },
    ];
    const err = await settle(queue.submit(request, 'metrics'));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/MEMORY_LIMIT_EXCEEDED/);
    expect(await rowsOf('gauge')).toEqual(['g1:1']);
    expect(await rowsOf('sums')).toEqual([]);

    // The client retries the same body after Retry-After; the engine has recovered.
    failSums = false;
    await queue.submit(request, 'metrics');
    expect(await rowsOf('gauge')).toEqual(['g1:1']);
    expect(await rowsOf('sums')).toEqual(['s1:1']);
    expect(queue.stats).toMatchObject({ requests: 1, failedRequests: 1, skippedParts: 1 });

    // A retry of a request that was fully written writes nothing.
    await queue.submit(request, 'metrics');
    expect(await rowsOf('gauge')).toEqual(['g1:1']);
    expect(await rowsOf('sums')).toEqual(['s1:1']);
  });

  it('a retry that arrives while the first try still waits shares its rows: written once, both answered', async () => {
    const w = writer();
    const request = rows('a', 'b');
    const { queue, release } = gatedQueue(w, { maxQueuedBytes: request.length });
    const first = queue.submit([{ table: 'spans', rows: request }], 'traces');
    // The client gave up waiting and sent the same body again; it takes no room in the queue.
    const retry = queue.submit([{ table: 'spans', rows: request }], 'traces');
    expect(queue.bytesQueued).toBe(request.length);
    release();
    await Promise.all([first, retry]);
    expect(await rowsOf('spans')).toEqual(['a:1', 'b:1']);
    expect(w.calls).toEqual(['spans']);
    expect(queue.stats).toMatchObject({ requests: 2, sharedParts: 1 });
    expect(queue.bytesQueued).toBe(0);
  });

  it('a retry waiting behind a failed first try writes the shared rows in its own turn', async () => {
    let failures = 0;
    const w = writer((table) => table === 'sums' && failures++ === 0);
    const { queue, release } = gatedQueue(w);
    const part: TableRows = { table: 'sums', rows: rows('s1') };
    const first = settle(queue.submit([part], 'metrics'));
    // A traces request in between puts the retry into a later group than the first try.
    const traces = queue.submit([{ table: 'spans', rows: rows('t1') }], 'traces');
    const retry = queue.submit([part], 'metrics');
    release();
    expect(((await first) as Error).message).toMatch(/MEMORY_LIMIT/);
    await Promise.all([traces, retry]);
    expect(await rowsOf('sums')).toEqual(['s1:1']);
    expect(w.calls).toEqual(['sums', 'spans', 'sums']);
  });

  it('a transient failure of the 2nd table of a group refuses its requests without duplicating the 1st table', async () => {
    // Traces and metrics of one OTLP client: the metrics requests span two tables.
    const w = writer((table) => table === 'sums');
    const { queue, release } = gatedQueue(w);
    const traces = queue.submit([{ table: 'spans', rows: rows('span-a') }], 'traces');
    const m1 = settle(
      queue.submit(
        [
          { table: 'gauge', rows: rows('g1') },
          { table: 'sums', rows: rows('s1') },
        ],
        'metrics',
      ),
    );
    const m2 = settle(
      queue.submit(
        [
          { table: 'gauge', rows: rows('g2') },
          { table: 'sums', rows: rows('s2') },
        ],
        'metrics',
      ),
    );
    release();
    await traces;
    const [r1, r2] = await Promise.all([m1, m2]);
    expect((r1 as Error).message).toMatch(/MEMORY_LIMIT/);
    expect((r2 as Error).message).toMatch(/MEMORY_LIMIT/);
    expect(await rowsOf('spans')).toEqual(['span-a:1']);
    expect(await rowsOf('gauge')).toEqual(['g1:1', 'g2:1']);
    expect(await rowsOf('sums')).toEqual([]);
  });

  it('a request the engine refuses as bad data fails alone; its neighbours in the group are written once', async () => {
    const w = writer();
    const { queue, release } = gatedQueue(w);
    const good0 = queue.submit([{ table: 'spans', rows: rows('a') }], 'traces');
    const good1 = settle(queue.submit([{ table: 'spans', rows: rows('b') }], 'traces'));
    const bad = settle(queue.submit([{ table: 'spans', rows: '{"id":"x","n":"not a number"}\n' }], 'traces'));
    const good2 = settle(queue.submit([{ table: 'spans', rows: rows('c', 'd') }], 'traces'));
    release();
    await good0;
    expect(await good1).toBe('ok');
    expect(await good2).toBe('ok');
    const err = await bad;
    expect(err).toBeInstanceOf(Error);
    // The engine's own message for the row it cannot parse.
    expect((err as Error).message).toMatch(/Code: \d+/);
    expect(await rowsOf('spans')).toEqual(['a:1', 'b:1', 'c:1', 'd:1']);
    expect(queue.stats).toMatchObject({ requests: 3, failedRequests: 1 });
  });

  it('refuses with QueueBusyError past maxQueuedBytes, and takes requests again once written', async () => {
    const w = writer();
    const first = rows('a');
    const { queue, release } = gatedQueue(w, { maxQueuedBytes: first.length + 4 });
    const accepted = queue.submit([{ table: 'spans', rows: first }], 'traces');
    const refused = await settle(queue.submit([{ table: 'spans', rows: rows('b') }], 'traces'));
    expect(refused).toBeInstanceOf(QueueBusyError);
    expect((refused as QueueBusyError).closing).toBe(false);
    expect(queue.stats.rejectedBusy).toBe(1);
    release();
    await accepted;
    await queue.submit([{ table: 'spans', rows: rows('b') }], 'traces');
    expect(await rowsOf('spans')).toEqual(['a:1', 'b:1']);
  });

  it('drain() waits for the requests being written and refuses new ones as closing', async () => {
    const w = writer();
    const { queue, release } = gatedQueue(w);
    const inFlight = queue.submit([{ table: 'spans', rows: rows('a') }], 'traces');
    const queued = queue.submit([{ table: 'spans', rows: rows('b') }], 'traces');
    let drained = false;
    const draining = queue.drain().then(() => {
      drained = true;
    });
    const late = await settle(queue.submit([{ table: 'spans', rows: rows('c') }], 'traces'));
    expect(late).toBeInstanceOf(QueueBusyError);
    expect((late as QueueBusyError).closing).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(drained).toBe(false);
    release();
    await draining;
    await Promise.all([inFlight, queued]);
    expect(await rowsOf('spans')).toEqual(['a:1', 'b:1']);
    expect(queue.requestsQueued).toBe(0);
  });
});

describe('OTLP receiver over the queue', () => {
  async function postTraces(url: string): Promise<Response> {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0102030405060708',
                  name: 'chat',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000001000000000',
                },
              ],
            },
          ],
        },
      ],
    });
    return fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
  }

  it('answers 429 + Retry-After when the queue is full and 503 while closing', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const written: string[] = [];
    // Only the queue's admission is under test here: the writer holds the rows until released.
    const queue = new IngestQueue({
      insert: async (table, text) => {
        await gate;
        written.push(`${table}:${text.split('\n').filter(Boolean).length}`);
      },
      maxQueuedBytes: 64,
    });
    const receiver = createOtlpReceiver({
      queue,
      maxBodyBytes: 1 << 20,
      maxInflight: 8,
      retryAfterSeconds: 1,
      bound: () => boundAddressOf(receiver.server, '127.0.0.1')(),
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    try {
      const first = postTraces(url);
      while (queue.requestsQueued === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const busy = await postTraces(url);
      expect(busy.status).toBe(429);
      expect(busy.headers.get('retry-after')).toBe('1');
      const draining = queue.drain();
      const closing = await postTraces(url);
      expect(closing.status).toBe(503);
      expect(closing.headers.get('retry-after')).toBe('1');
      open();
      expect((await first).status).toBe(200);
      await draining;
      expect(written).toEqual(['otel.otel_traces:1']);
    } finally {
      open();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });

  it('answers 503 + Retry-After for a transient write failure and 400 for rows the engine refuses', async () => {
    let failure: Error = transientFailure();
    const queue = new IngestQueue({
      insert: async () => {
        throw failure;
      },
      maxQueuedBytes: 1 << 20,
    });
    const receiver = createOtlpReceiver({
      queue,
      maxBodyBytes: 1 << 20,
      maxInflight: 8,
      retryAfterSeconds: 1,
      bound: () => boundAddressOf(receiver.server, '127.0.0.1')(),
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    try {
      const transient = await postTraces(url);
      expect(transient.status).toBe(503);
      expect(transient.headers.get('retry-after')).toBe('1');
      failure = Object.assign(
        new Error('Code: 27. DB::Exception: Cannot parse input. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)'),
        {
          clickhouseCode: 27,
        },
      );
      const bad = await postTraces(url);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('retry-after')).toBeNull();
      expect(queue.stats).toMatchObject({ requests: 0, failedRequests: 2 });
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });
});
