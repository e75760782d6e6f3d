/**
 * `aicost up` under hostile input, one test per defect of issue 10 (local
 * collector part), each against a real `aicost up` process and the real
 * engine. Every test here failed on the code before the fix (the figures,
 * before and after, are in bench/README.md, "aicost up under hostile input").
 * Peak memory is read from the collector's /proc/<pid>/status (VmHWM).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  CLI,
  type Collector,
  makeSpans,
  NODE,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
  tempDir,
} from './support.js';

const SECRET = 'hostile-secret-7d2e';
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const MiB = 1024 * 1024;

/** Peak resident memory of a process so far, in bytes (VmHWM). */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

interface Answer {
  status: number;
  text: string;
  ms: number;
}

/** A request on the SQL port with the collector's credential (or the given headers). */
async function sql(
  collector: Collector,
  body: string | Buffer | undefined,
  opts: { params?: Record<string, string>; headers?: Record<string, string>; method?: string } = {},
): Promise<Answer> {
  const qs = new URLSearchParams(opts.params ?? {}).toString();
  const started = performance.now();
  const res = await fetch(`${collector.clickhouseUrl}/${qs ? `?${qs}` : ''}`, {
    method: opts.method ?? 'POST',
    body,
    headers: { ...collector.authHeaders, ...opts.headers },
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/** One span as OTLP/JSON, with `patch` applied to the span. */
function jsonSpan(patch: Record<string, unknown> = {}, name = 'probe'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name,
                kind: 3,
                startTimeUnixNano: '1800000000000000000',
                endTimeUnixNano: '1800000001000000000',
                ...patch,
              },
            ],
          },
        ],
      },
    ],
  });
}

async function spanCount(collector: Collector, name: string): Promise<number> {
  const res = await sql(collector, `SELECT count() FROM otel.otel_traces WHERE SpanName = '${name}'`);
  expect(res.status, res.text).toBe(200);
  return Number(res.text.trim());
}

interface Upload {
  /** The status line's code, when the answer arrived. */
  status: number | undefined;
  /** Body bytes the server took (handed to this machine's TCP stack) before it closed the connection. */
  sent: number;
  /** Whether the server closed the connection (rather than reading the body to keep it). */
  closed: boolean;
  /** When the answer arrived, from the start of sending (ms). */
  answeredMs: number | undefined;
}

/**
 * Announces a body of `declared` bytes and sends it as fast as the server takes it, until the
 * whole body is out or the server closes the connection (raw socket: fetch() would not show how
 * much the server read).
 */
function upload(url: string, head: string[], declared: number): Promise<Upload> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const started = performance.now();
  let queued = 0;
  let sent = 0;
  let answer = '';
  let answeredMs: number | undefined;
  let closed = false;
  return new Promise<Upload>((resolve) => {
    let timer: NodeJS.Timeout;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]) || undefined,
        sent,
        closed,
        answeredMs,
      });
    };
    timer = setTimeout(finish, 30_000);
    socket.on('data', (d) => {
      answer += d;
      answeredMs ??= performance.now() - started;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    const pump = () => {
      while (!socket.destroyed && queued < declared) {
        const n = Math.min(chunk.length, declared - queued);
        queued += n;
        const more = socket.write(chunk.subarray(0, n), (err) => {
          if (err) return;
          sent += n;
          // Everything was taken: give the answer a moment, then stop waiting for a close.
          if (sent === declared) setTimeout(finish, 1000);
        });
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.once('connect', () => {
      socket.write([...head, `Host: ${u.host}`, `Content-Length: ${declared}`, '', ''].join('\r\n'));
      pump();
    });
  });
}

describe('aicost up under hostile input', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;
  let secretFile: string;
  let work: string;

  beforeAll(async () => {
    work = tempDir('aicost-hostile-');
    secretFile = join(work, 'secret.txt');
    writeFileSync(secretFile, `${SECRET}\n`);
    // Default flags: every test of this block also ran against the code before the fix, and failed there.
    collector = await startCollector();
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('1. does not read files through an escaped scalar file() (nor any spelling of it)', async () => {
    for (const statement of [
      `SELECT \`\\x66ile\`('${secretFile}')`,
      `SELECT file('${secretFile}')`,
      `SELECT * FROM \`f\\x69le\`('${secretFile}', 'LineAsString')`,
      "SELECT `\\x66ile`('/proc/self/environ')",
      `SELECT 1 UNION ALL SELECT length(\`\\x66ile\`('${secretFile}'))`,
    ]) {
      const res = await sql(collector, statement);
      expect(res.status, statement).toBe(403);
      expect(res.text).not.toContain(SECRET);
      expect(res.text).not.toMatch(/AICOST_|PATH=/);
    }
  });

  it('2. refuses settings that name files, from the URL (also by GET), before anything runs', async () => {
    const written = join(work, 'written.proto');
    const attempts: [string, Record<string, string>][] = [
      ['POST', { default_format: 'Protobuf', output_format_schema: written }],
      ['GET', { query: 'SELECT 1 AS a', default_format: 'Protobuf', output_format_schema: written }],
      ['POST', { default_format: 'Template', format_template_row: secretFile }],
      ['POST', { format_schema: `${secretFile}:M` }],
    ];
    for (const [method, params] of attempts) {
      const res = await sql(collector, method === 'POST' ? 'SELECT 1 AS a' : undefined, { params, method });
      expect(res.status, JSON.stringify(params)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toContain(SECRET);
    }
    expect(existsSync(written)).toBe(false);
    // A setting the supported clients send still works.
    const ok = await sql(collector, "SELECT getSetting('max_threads')", { params: { max_threads: '2' } });
    expect(ok.text).toBe('2\n');
  });

  it('3. answers compression bombs with 413 in bounded memory, on both ports', async () => {
    const zeros = Buffer.alloc(128 * MiB);
    const gz = gzipSync(zeros, { level: 9 });
    const br = brotliCompressSync(zeros, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
    const before = peakRss(collector.process.pid!);
    for (const [encoding, body] of [
      ['gzip', gz],
      ['br', br],
    ] as const) {
      const res = await sql(collector, body, { headers: { 'Content-Encoding': encoding } });
      expect(res.status, `${encoding}: ${res.text}`).toBe(413);
    }
    const otlp = await postOtlp(collector.otlpUrl, zeros.subarray(0, 64 * MiB), { gzip: true });
    expect(otlp.status).toBe(413);
    // The OTLP body limit (16 MiB) bounds the inflated size; nothing near 128 MiB was held.
    expect(peakRss(collector.process.pid!) - before).toBeLessThan(96 * MiB);
  });

  it('4. refuses a 20 MiB query body fast, without stalling other requests', async () => {
    const big = `SELECT 1 /*${' '.repeat(20 * MiB)}*/`;
    const [res, other] = await Promise.all([
      sql(collector, big),
      new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => sql(collector, 'SELECT 2')),
    ]);
    expect(res.status).toBe(413);
    expect(res.ms).toBeLessThan(3000);
    expect(other.text).toBe('2\n');
    expect(other.ms).toBeLessThan(3000);
  });

  it('5. refuses OTLP/JSON ids that are not 16/8 bytes, fast', async () => {
    const bad: Record<string, unknown>[] = [
      { traceId: { length: 50_000_000 } },
      { spanId: { length: 50_000_000 } },
      { traceId: 'ab'.repeat(2_000_000) },
      { traceId: '5b8efff798038103d269b633813fc60c00' },
      { parentSpanId: 'eee19b7ec3c1b1' },
      { links: [{ traceId: { length: 1e9 }, spanId: 'eee19b7ec3c1b174' }] },
    ];
    for (const patch of bad) {
      const started = performance.now();
      const res = await postOtlp(collector.otlpUrl, jsonSpan(patch, 'bad-id'), { encoding: 'json' });
      expect(res.status, JSON.stringify(patch).slice(0, 80)).toBe(400);
      expect(performance.now() - started).toBeLessThan(2000);
    }
    expect(await spanCount(collector, 'bad-id')).toBe(0);
    const good = await postOtlp(collector.otlpUrl, jsonSpan({}, 'good-id'), { encoding: 'json' });
    expect(good.status).toBe(200);
    expect(await spanCount(collector, 'good-id')).toBe(1);
  });

  it('6. refuses an intValue of millions of digits fast', async () => {
    const started = performance.now();
    const res = await postOtlp(
      collector.otlpUrl,
      jsonSpan({ attributes: [{ key: 'n', value: { intValue: '9'.repeat(3_000_000) } }] }, 'big-int'),
      { encoding: 'json' },
    );
    expect(res.status).toBe(400);
    expect(performance.now() - started).toBeLessThan(2000);
    const overflow = await postOtlp(
      collector.otlpUrl,
      jsonSpan({ startTimeUnixNano: '99999999999999999999' }, 'big-int'),
      { encoding: 'json' },
    );
    expect(overflow.status).toBe(400);
    expect(await spanCount(collector, 'big-int')).toBe(0);
  });

  it('9. prints attribution values without terminal escapes, and CSV without formulas', async () => {
    const features = ['evil\u001b]0;pwned\u0007\u001b[2J', '=HYPERLINK("http://x.test/?leak","click")'];
    for (const feature of features) {
      const spans = makeSpans([
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'aicost.feature': feature,
          },
        },
      ]);
      expect((await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'))).status).toBe(200);
    }
    const table = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature',
      '--since',
      '30d',
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('evil\\x1b]0;pwned\\x07');
    expect(table.stdout).not.toMatch(TERMINAL_CONTROL);
    const csv = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature',
      '--since',
      '30d',
      '--format',
      'csv',
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`"'=HYPERLINK(""http://x.test/?leak"",""click"")"`);
    expect(csv.stdout).not.toMatch(/(^|,)"?=/m);
    expect(csv.stdout).not.toMatch(TERMINAL_CONTROL);
  });

  it('11. keeps ?database= inside its quotes', async () => {
    const planted = join(work, 'planted.txt');
    for (const database of [
      'otel\\',
      `x\\\`; SELECT 'pwned' INTO OUTFILE '${planted}'; -- `,
      'otel` ; SELECT 1 --',
    ]) {
      // The whole value is one (unknown) database name: not a syntax error from text that escaped the quotes.
      const res = await sql(collector, 'SELECT 1', { params: { database } });
      expect(res.status, `${database}: ${res.text}`).toBe(404);
      expect(res.text).toMatch(/UNKNOWN_DATABASE/);
    }
    expect(existsSync(planted)).toBe(false);
  });
});

describe('aicost up under hostile input, with tight limits', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;

  beforeAll(async () => {
    collector = await startCollector({
      args: [
        '--max-query-memory',
        '512MiB',
        '--max-query-time',
        '5',
        '--body-timeout',
        '3',
        '--max-inflight',
        '4',
      ],
    });
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('7. keeps ingest slots for senders whose body has arrived, and times slow bodies out', async () => {
    const port = Number(new URL(collector.otlpUrl).port);
    // 32 senders (8 times --max-inflight) that announce a body and trickle it.
    const slow = Array.from({ length: 32 }, () => {
      const socket = connect(port, '127.0.0.1');
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      const timer = setInterval(() => socket.write(' '), 500);
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d) => {
          text += d;
        });
        socket.on('close', () => {
          clearInterval(timer);
          resolve(text);
        });
        socket.on('error', () => {});
      });
      return { socket, answer };
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const real = await postOtlp(collector.otlpUrl, jsonSpan({}, 'beside-slow'), { encoding: 'json' });
    expect(real.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    // --body-timeout 3: every trickling sender gets 408 and its connection closed.
    const answers = await Promise.all(slow.map((s) => s.answer));
    for (const text of answers) expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(await spanCount(collector, 'beside-slow')).toBe(1);
  });

  it('11. bounds the memory and time of one read, with a 4xx, and keeps answering', async () => {
    const before = peakRss(collector.process.pid!);
    const memory = await sql(collector, 'SELECT length(groupArray(number)) FROM numbers(100000000)');
    expect(memory.status, memory.text).toBe(400);
    expect(memory.text).toMatch(/MEMORY_LIMIT_EXCEEDED/);
    expect(peakRss(collector.process.pid!) - before).toBeLessThan(1024 * MiB);
    const slow = await sql(collector, 'SELECT count() FROM numbers(100000000000) WHERE sleepEachRow(0) = 0');
    expect(slow.status, slow.text).toBe(400);
    expect(slow.text).toMatch(/TIMEOUT_EXCEEDED/);
    expect(slow.ms).toBeLessThan(15_000);
    // The limits cannot be lifted by the request.
    const lifted = await sql(collector, 'SELECT length(groupArray(number)) FROM numbers(100000000)', {
      params: { max_memory_usage: '0' },
    });
    expect(lifted.status).toBe(403);
    expect((await sql(collector, 'SELECT 3')).text).toBe('3\n');
  });
});

describe('aicost up: who may talk to it', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;

  beforeAll(async () => {
    collector = await startCollector({ args: ['--otlp-auth'] });
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('keeps a generated credential in the data dir, mode 0600, printed once', async () => {
    const file = join(collector.dataDir, 'credential.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(collector.password.length).toBeGreaterThanOrEqual(24);
    expect(collector.stderr()).toContain(collector.password);
    expect(collector.stderr()).toContain('grafana-clickhouse-datasource');
  });

  it('requires the credential on the SQL port, in every form ClickHouse clients send it', async () => {
    const url = `${collector.clickhouseUrl}/?query=SELECT%201`;
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { 'X-ClickHouse-Key': 'guess' } });
    expect(wrong.status).toBe(401);
    const basic = `Basic ${Buffer.from(`grafana:${collector.password}`).toString('base64')}`;
    expect((await fetch(url, { headers: { Authorization: basic } })).status).toBe(200);
    expect((await fetch(`${url}&password=${encodeURIComponent(collector.password)}`)).status).toBe(200);
    expect((await fetch(url, { headers: collector.authHeaders })).status).toBe(200);
  });

  it('answers refused and unauthenticated requests at once, without reading their body, on every port', async () => {
    const uiPort = (
      JSON.parse(readFileSync(join(collector.dataDir, 'aicost-up.json'), 'utf8')) as { uiPort: number }
    ).uiPort;
    const declared = 64 * MiB;
    const cases: [string, string, string[], number][] = [
      ['SQL port, no credential', collector.clickhouseUrl, ['POST / HTTP/1.1'], 401],
      [
        'SQL port, a foreign Origin',
        collector.clickhouseUrl,
        ['POST / HTTP/1.1', `X-ClickHouse-Key: ${collector.password}`, 'Origin: https://evil.test'],
        403,
      ],
      [
        'SQL port, a body past the query limit',
        collector.clickhouseUrl,
        ['POST / HTTP/1.1', `X-ClickHouse-Key: ${collector.password}`],
        413,
      ],
      ['SQL port, no such path', collector.clickhouseUrl, ['POST /nothing HTTP/1.1'], 404],
      [
        'OTLP port, no credential',
        collector.otlpUrl,
        ['POST /v1/traces HTTP/1.1', 'Content-Type: application/json'],
        401,
      ],
      [
        'OTLP port, a body past the size limit',
        collector.otlpUrl,
        [
          'POST /v1/traces HTTP/1.1',
          'Content-Type: application/json',
          `Authorization: Bearer ${collector.password}`,
        ],
        413,
      ],
      ['OTLP port, no such path', collector.otlpUrl, ['POST /nothing HTTP/1.1'], 404],
      ['UI port, a body it never takes', `http://127.0.0.1:${uiPort}`, ['POST / HTTP/1.1'], 405],
    ];
    for (const [what, url, head, status] of cases) {
      const result = await upload(url, head, declared);
      expect(result.status, what).toBe(status);
      expect(result.answeredMs!, what).toBeLessThan(3000);
      // The server closed the connection instead of reading 64 MiB to keep it: what it took is what fits
      // in the two sockets' buffers.
      expect(result.closed, what).toBe(true);
      expect(result.sent, what).toBeLessThan(declared / 4);
    }
    // An authenticated request refused with a small body keeps its connection (the body is read and dropped).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ask = (body: string) =>
        new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
          const req = request(
            `${collector.clickhouseUrl}/?default_format=Protobuf&output_format_schema=x`,
            { method: 'POST', agent, headers: collector.authHeaders },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode!, socket: req.socket }));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const first = await ask('SELECT 1');
      const second = await ask('SELECT 2');
      for (const { status } of [first, second]) {
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it('refuses same-site browser requests (a page on another port of this host) on every port, as the UI does', async () => {
    const uiPort = (
      JSON.parse(readFileSync(join(collector.dataDir, 'aicost-up.json'), 'utf8')) as { uiPort: number }
    ).uiPort;
    const sameSite = { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' };
    const sqlAnswer = await fetch(`${collector.clickhouseUrl}/?query=SELECT%201`, {
      headers: { ...collector.authHeaders, ...sameSite },
    });
    expect(sqlAnswer.status).toBe(403);
    const otlpAnswer = await fetch(`${collector.otlpUrl}/v1/traces`, {
      method: 'POST',
      body: jsonSpan({}, 'same-site'),
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${collector.password}`,
        ...sameSite,
      },
    });
    expect(otlpAnswer.status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${uiPort}/api/changes`, { headers: sameSite })).status).toBe(403);
    // The same requests without the browser's header pass (the UI then asks for its login).
    expect(
      (await fetch(`${collector.clickhouseUrl}/?query=SELECT%201`, { headers: collector.authHeaders }))
        .status,
    ).toBe(200);
    expect((await fetch(`http://127.0.0.1:${uiPort}/api/changes`)).status).toBe(401);
  });

  it('requires the credential on OTLP with --otlp-auth (Bearer, as exporters send headers)', async () => {
    const body = jsonSpan({}, 'auth-otlp');
    const res = await fetch(`${collector.otlpUrl}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(401);
    const ok = await fetch(`${collector.otlpUrl}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${collector.password}` },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses cross-origin browser requests and foreign Host headers (DNS rebinding) on both ports', async () => {
    /** Raw requests: fetch() will not send a forged Host header. */
    const raw = (url: string, headers: Record<string, string>, method = 'GET', body = '') =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(url);
        const req = request(
          { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, headers },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const sqlUrl = `${collector.clickhouseUrl}/?query=SELECT%201`;
    const traces = `${collector.otlpUrl}/v1/traces`;
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${collector.password}` };
    // With the credential: only the browser context makes these fail.
    expect(await raw(sqlUrl, { ...collector.authHeaders, Origin: 'https://evil.test' })).toBe(403);
    expect(await raw(sqlUrl, { ...collector.authHeaders, Host: 'evil.test' })).toBe(403);
    expect(
      await raw(sqlUrl, { ...collector.authHeaders, Host: `rebind.evil.test:${new URL(sqlUrl).port}` }),
    ).toBe(403);
    expect(await raw(traces, { ...json, Origin: 'https://evil.test' }, 'POST', jsonSpan())).toBe(403);
    expect(await raw(traces, { ...json, Host: 'evil.test' }, 'POST', jsonSpan())).toBe(403);
    expect(await raw(traces, { ...json, 'Sec-Fetch-Site': 'cross-site' }, 'POST', jsonSpan())).toBe(403);
    // Same-origin and non-browser requests pass.
    expect(await raw(sqlUrl, { ...collector.authHeaders, Origin: collector.clickhouseUrl })).toBe(200);
    expect(await raw(sqlUrl, collector.authHeaders)).toBe(200);
  });
});

describe('aicost up: the ingest session is never a read session (--writable)', {
  timeout: CHILD_PROCESS_TIMEOUT,
}, () => {
  it('10. SET readonly = 1 on the SQL port does not stop ingestion, and reads stay read-only', async () => {
    const collector = await startCollector({ args: ['--writable'] });
    try {
      const set = await sql(collector, 'SET readonly = 1');
      expect(set.status).toBe(403);
      const res = await postOtlp(collector.otlpUrl, jsonSpan({}, 'after-set'), { encoding: 'json' });
      expect(res.status).toBe(200);
      expect(await spanCount(collector, 'after-set')).toBe(1);
      expect((await sql(collector, "SELECT getSetting('readonly')")).text).toBe('1\n');
      // Writes still go through on the writable server.
      expect((await sql(collector, 'CREATE TABLE default.t (a UInt8) ENGINE = Memory')).status).toBe(200);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });
});

describe('aicost up: command line and binding', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  it('11. refuses --password (it would show in the process list) and takes AICOST_PASSWORD instead', async () => {
    const refused = await runCli(['up', '--data-dir', tempDir(), '--password', 'visible-in-ps']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/AICOST_PASSWORD/);
    const dataDir = tempDir();
    const child = spawn(NODE, [CLI, 'up', '--port', '0', '--clickhouse-port', '0', '--data-dir', dataDir], {
      env: { ...process.env, AICOST_PASSWORD: 'from-the-environment-1234' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /clickhouse=(\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain('from-the-environment');
      const res = await fetch(`${ready}/?query=SELECT%201`, {
        headers: { 'X-ClickHouse-Key': 'from-the-environment-1234' },
      });
      expect(res.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('11. warns when binding beyond loopback, and then requires the credential on OTLP too', async () => {
    const collector = await startCollector({ args: ['--host', '0.0.0.0'] });
    try {
      expect(collector.stderr()).toMatch(/WARNING: listening on 0\.0\.0\.0/);
      const url = collector.otlpUrl.replace('0.0.0.0', '127.0.0.1');
      const res = await postOtlp(url, jsonSpan(), { encoding: 'json' });
      expect(res.status).toBe(401);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });
});

describe('aicost up --writable: writes stay inside the store', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;
  let work: string;
  let secretFile: string;

  beforeAll(async () => {
    work = tempDir('aicost-writable-');
    secretFile = join(work, 'secret.txt');
    writeFileSync(secretFile, `${SECRET}\n`);
    collector = await startCollector({ args: ['--writable'] });
    // A deduplication window, as the schema's tables have, so that a retried insert can be stored once.
    const create = await sql(
      collector,
      'CREATE TABLE default.w (a String) ENGINE = MergeTree ORDER BY a SETTINGS non_replicated_deduplication_window = 100',
    );
    expect(create.status, create.text).toBe(200);
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  const rows = async () => (await sql(collector, 'SELECT a FROM default.w ORDER BY a')).text;

  it('never runs SQL that follows Values rows (a `;` ends Values data)', async () => {
    // Before the fix each of these answered the secret: the engine ran the SELECT after the rows.
    const leak = `; SELECT file('${secretFile}')`;
    for (const [body, params] of [
      [`('v1')${leak}`, { query: 'INSERT INTO default.w FORMAT Values' }],
      [`INSERT INTO default.w VALUES ('v2')${leak}`, {}],
      [`INSERT INTO default.w FORMAT Values ('v3')${leak}`, {}],
    ] as const) {
      const res = await sql(collector, body, { params });
      expect(res.text, body).not.toContain(SECRET);
    }
    expect(await rows()).not.toContain(SECRET);
  });

  it('never runs SQL that follows rows in a text format', async () => {
    for (const [format, row] of [
      ['JSONEachRow', '{"a":"j1"}'],
      ['CSV', 'c1'],
      ['TSV', 't1'],
    ]) {
      const res = await sql(collector, `${row}\n; SELECT file('${secretFile}')`, {
        params: { query: `INSERT INTO default.w FORMAT ${format}` },
      });
      expect(res.text, format).not.toContain(SECRET);
    }
    // LineAsString keeps every line as a row: the SQL is stored as text, never run.
    const lines = await sql(collector, `l1\nSELECT file('${secretFile}')`, {
      params: { query: 'INSERT INTO default.w FORMAT LineAsString' },
    });
    expect(lines.status, lines.text).toBe(200);
    expect(await rows()).not.toContain(SECRET);
  });

  it('refuses writes that read files or reach outside, with 403 and nothing written', async () => {
    const outside = join(work, 'out.tsv');
    for (const statement of [
      `INSERT INTO default.w SELECT file('${secretFile}')`,
      `INSERT INTO default.w SELECT \`\\x66ile\`('${secretFile}')`,
      `ALTER TABLE default.w UPDATE a = file('${secretFile}') WHERE 1`,
      `CREATE TABLE default.f (a String) ENGINE = File(TSV, '${outside}')`,
      `INSERT INTO FUNCTION file('${outside}', 'TSV') SELECT 1`,
      `CREATE TABLE default.g AS file('${secretFile}', 'LineAsString')`,
      `CREATE DICTIONARY default.d (k UInt64, v String) PRIMARY KEY k SOURCE(FILE(path '${secretFile}' format 'TSV')) LAYOUT(FLAT()) LIFETIME(0)`,
      `ATTACH TABLE default.h (a String) ENGINE = MergeTree ORDER BY a`,
      'SYSTEM SHUTDOWN',
    ]) {
      const res = await sql(collector, statement);
      expect(res.status, `${statement}: ${res.text}`).toBe(403);
      expect(res.text).not.toContain(SECRET);
    }
    expect(existsSync(outside)).toBe(false);
    expect(await rows()).not.toContain(SECRET);
  });

  it('runs one statement only', async () => {
    const res = await sql(collector, `INSERT INTO default.w SELECT 'm1'; SELECT file('${secretFile}')`);
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toMatch(/statement/i);
    expect(res.text).not.toContain(SECRET);
    expect(await rows()).not.toContain('m1');
  });

  it('still takes ordinary writes: inline VALUES (a retry stored once), text rows with ?database=, DDL with codecs', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await sql(collector, "INSERT INTO default.w VALUES ('ok1'), ('ok2');");
      expect(res.status, res.text).toBe(200);
    }
    const json = await sql(collector, '{"a":"ok3"}\n{"a":"ok4"}\n', {
      params: { query: 'INSERT INTO w FORMAT JSONEachRow', database: 'default' },
    });
    expect(json.status, json.text).toBe(200);
    const ddl = await sql(
      collector,
      'CREATE TABLE default.c (t DateTime64(9) CODEC(Delta, ZSTD(1)), s String, INDEX i s TYPE bloom_filter(0.01) GRANULARITY 1) ENGINE = MergeTree ORDER BY t TTL toDateTime(t) + INTERVAL 30 DAY',
    );
    expect(ddl.status, ddl.text).toBe(200);
    const listed = (await rows()).split('\n').filter((row) => row.startsWith('ok'));
    expect(listed).toEqual(['ok1', 'ok2', 'ok3', 'ok4']);
  });
});
