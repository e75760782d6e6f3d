#!/usr/bin/env node
/**
 * The hostile-input probes of issue 10 against a real `aicost up`, for the
 * figures in bench/README.md ("aicost up under hostile input"): for each
 * probe, the HTTP status, the time to the answer, and the collector's peak
 * RSS during the probe (VmHWM, reset before each probe through
 * /proc/<pid>/clear_refs).
 *
 *   node bench/hostile-probes.mjs [path/to/cli/dist/bin.js] [label]
 *
 * Run it once with the CLI built from the code before the fix and once
 * after; the table it prints is markdown. A figure, not a test: it does not
 * fail. Probes that need a flag the old CLI lacks run with what it has.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, createGzip, constants as zlib } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..');
const CLI = process.argv[2] ?? join(REPO, 'packages/cli/dist/bin.js');
const LABEL = process.argv[3] ?? 'after';
const MiB = 1024 * 1024;

function startUp(args = [], env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'aicost-probe-'));
  const child = spawn(
    process.execPath,
    [CLI, 'up', '--port', '0', '--clickhouse-port', '0', '--data-dir', dataDir, '--no-prices', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready otlp=(\S+) clickhouse=(\S+)/.exec(out);
      if (!m) return;
      const credFile = join(dataDir, 'credential.json');
      const password = existsSync(credFile) ? JSON.parse(readFileSync(credFile, 'utf8')).password : '';
      resolve({
        child,
        dataDir,
        otlp: m[1].replace('0.0.0.0', '127.0.0.1'),
        sql: m[2].replace('0.0.0.0', '127.0.0.1'),
        auth: { 'X-ClickHouse-Key': password },
        password,
        stderr: () => stderr,
      });
    });
    child.once('exit', (code) => reject(new Error(`aicost up exited ${code}: ${stderr}`)));
  });
}

async function stop(up) {
  if (up.child.exitCode !== null) return;
  const exited = new Promise((resolve) => up.child.once('exit', resolve));
  up.child.kill('SIGKILL');
  await exited;
  rmSync(up.dataDir, { recursive: true, force: true });
}

function resetPeak(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function peakMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Math.round(Number(m[1]) / 1024);
  } catch {
    return NaN;
  }
}

/** One HTTP request with a deadline; the status or 'timeout'/'error'. */
function send(url, { method = 'POST', headers = {}, body, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const started = performance.now();
    let answered = false;
    // A fresh connection per probe (no keep-alive: a server that closed after a refusal is not reused).
    const req = request(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, headers, agent: false },
      (res) => {
        answered = true;
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            ms: performance.now() - started,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ status: 'timeout', ms: performance.now() - started, text: '' });
    });
    // A server may answer (413) and close before the whole body is sent: the client then sees EPIPE/ECONNRESET
    // while writing; the answer, when it arrives, is what counts.
    req.on('error', (err) => {
      const ms = performance.now() - started;
      setTimeout(() => {
        if (!answered) resolve({ status: `error (${err.code})`, ms, text: '' });
      }, 500);
    });
    req.end(body);
  });
}

async function gzipZeros(bytes) {
  const gz = createGzip({ level: 9 });
  const chunks = [];
  gz.on('data', (d) => chunks.push(d));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const block = Buffer.alloc(8 * MiB);
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!gz.write(block)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await done;
  return Buffer.concat(chunks);
}

function jsonSpan(patch = {}, name = 'probe') {
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name,
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

const rows = [];
/** PROBES=<regex> runs only the probes whose name matches. */
const only = process.env.PROBES ? new RegExp(process.env.PROBES) : undefined;
async function probe(up, name, run) {
  if (only && !only.test(name)) return;
  resetPeak(up.child.pid);
  const started = performance.now();
  const result = await run();
  rows.push({
    name,
    status: result.status,
    ms: Math.round(result.ms ?? performance.now() - started),
    peak: peakMiB(up.child.pid),
    note: result.note ?? '',
  });
  process.stderr.write(`${name}: ${result.status} ${Math.round(result.ms ?? 0)} ms\n`);
}

const secretDir = mkdtempSync(join(tmpdir(), 'aicost-probe-secret-'));
const secret = join(secretDir, 'secret.txt');
writeFileSync(secret, 'probe-secret-42\n');
const sqlHeaders = (up, extra = {}) => ({ ...up.auth, ...extra });

const up = await startUp();
try {
  await probe(up, '1. SELECT `\\x66ile`(secret) on 8123', async () => {
    const r = await send(`${up.sql}/`, { headers: sqlHeaders(up), body: `SELECT \`\\x66ile\`('${secret}')` });
    return { ...r, note: r.text.includes('probe-secret-42') ? 'file returned' : 'no file content' };
  });
  await probe(up, '2. GET output_format_schema=<path>', async () => {
    const target = join(secretDir, 'written.proto');
    const q = new URLSearchParams({
      query: 'SELECT 1 AS a',
      default_format: 'Protobuf',
      output_format_schema: target,
    });
    const r = await send(`${up.sql}/?${q}`, { method: 'GET', headers: sqlHeaders(up) });
    return { ...r, note: existsSync(target) ? 'file written' : 'no file written' };
  });
  await probe(up, '2. format_template_row=<secret>', async () => {
    const q = new URLSearchParams({ default_format: 'Template', format_template_row: secret });
    const r = await send(`${up.sql}/?${q}`, { headers: sqlHeaders(up), body: 'SELECT 1 AS a' });
    return { ...r, note: r.text.includes('probe-secret-42') ? 'file leaked' : 'no leak' };
  });
  const gzBomb = await gzipZeros(1024 * MiB);
  await probe(up, `3. gzip bomb ${(gzBomb.length / MiB).toFixed(1)} MiB -> 1 GiB on 8123`, () =>
    send(`${up.sql}/`, { headers: sqlHeaders(up, { 'Content-Encoding': 'gzip' }), body: gzBomb }),
  );
  const brBomb = brotliCompressSync(Buffer.alloc(1024 * MiB), { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } });
  await probe(up, `3. brotli bomb ${brBomb.length} B -> 1 GiB on 8123`, () =>
    send(`${up.sql}/`, { headers: sqlHeaders(up, { 'Content-Encoding': 'br' }), body: brBomb }),
  );
  await probe(up, '3. gzip bomb -> 1 GiB on 4318', () =>
    send(`${up.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' },
      body: gzBomb,
    }),
  );
  await probe(up, '4. 50 MiB query body (+ SELECT 1 beside it)', async () => {
    const body = `SELECT 1 /*${' '.repeat(50 * MiB)}*/`;
    const big = send(`${up.sql}/`, { headers: sqlHeaders(up), body });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = await send(`${up.sql}/`, { headers: sqlHeaders(up), body: 'SELECT 1' });
    const r = await big;
    return { ...r, note: `SELECT 1 beside it: ${other.status} in ${Math.round(other.ms)} ms` };
  });
  await probe(up, '5. OTLP/JSON traceId {length: 5e7}', () =>
    send(`${up.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/json' },
      body: jsonSpan({ traceId: { length: 50_000_000 } }),
    }),
  );
  await probe(up, '6. intValue of 3,000,000 digits', () =>
    send(`${up.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/json' },
      body: jsonSpan({ attributes: [{ key: 'n', value: { intValue: '9'.repeat(3_000_000) } }] }),
    }),
  );
  await probe(up, '7. 40 slow bodies, then a real sender', async () => {
    const port = Number(new URL(up.otlp).port);
    const sockets = Array.from({ length: 40 }, () => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write(
        `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      return s;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const r = await send(`${up.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/json' },
      body: jsonSpan({}, 'real'),
    });
    for (const s of sockets) s.destroy();
    return r;
  });
  await probe(up, '11. ?database= with a backslash (INTO OUTFILE)', async () => {
    const planted = join(secretDir, 'planted.txt');
    const database = `x\\\`; SELECT 'pwned' INTO OUTFILE '${planted}'; -- `;
    const r = await send(`${up.sql}/?${new URLSearchParams({ database })}`, {
      headers: sqlHeaders(up),
      body: 'SELECT 1',
    });
    return { ...r, note: existsSync(planted) ? 'file planted' : 'no file' };
  });
  await probe(up, '11. groupArray(numbers(1e8))', () =>
    send(`${up.sql}/`, {
      headers: sqlHeaders(up),
      body: 'SELECT length(groupArray(number)) FROM numbers(100000000)',
    }),
  );
  await probe(up, 'cross-origin GET (Origin: https://evil.test)', () =>
    send(`${up.sql}/?query=SELECT%201`, {
      method: 'GET',
      headers: sqlHeaders(up, { Origin: 'https://evil.test' }),
    }),
  );
  await probe(up, 'DNS rebinding (Host: rebind.evil.test)', () =>
    send(`${up.sql}/?query=SELECT%201`, {
      method: 'GET',
      headers: sqlHeaders(up, { Host: 'rebind.evil.test' }),
    }),
  );
  await probe(up, 'SQL port without a credential', () =>
    send(`${up.sql}/?query=SELECT%201`, { method: 'GET' }),
  );
  await probe(up, 'after all probes: a good span', () =>
    send(`${up.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/json' },
      body: jsonSpan({}, 'good'),
    }),
  );
} finally {
  await stop(up);
}

const writable = await startUp(['--writable']);
try {
  await probe(writable, '10. --writable: SET readonly = 1, then OTLP', async () => {
    await send(`${writable.sql}/`, { headers: sqlHeaders(writable), body: 'SET readonly = 1' });
    return send(`${writable.otlp}/v1/traces`, {
      headers: { 'Content-Type': 'application/json' },
      body: jsonSpan({}, 'after-set'),
    });
  });
} finally {
  await stop(writable);
}

const passwordUp = await startUp(['--password', 'visible-in-ps']).catch((err) => ({ error: err }));
if ('error' in passwordUp) {
  rows.push({
    name: '11. --password on the command line',
    status: 'refused',
    ms: 0,
    peak: NaN,
    note: 'exit 2',
  });
} else {
  const cmdline = readFileSync(`/proc/${passwordUp.child.pid}/cmdline`, 'utf8');
  rows.push({
    name: '11. --password on the command line',
    status: 'accepted',
    ms: 0,
    peak: NaN,
    note: cmdline.includes('visible-in-ps') ? 'password in /proc/<pid>/cmdline' : '',
  });
  await stop(passwordUp);
}
const anyHost = await startUp(['--host', '0.0.0.0']);
rows.push({
  name: '11. --host 0.0.0.0',
  status: 'listening',
  ms: 0,
  peak: NaN,
  note: /WARNING/.test(anyHost.stderr()) ? 'warning printed, OTLP needs the credential' : 'no warning',
});
await stop(anyHost);
rmSync(secretDir, { recursive: true, force: true });

console.log(`\n| probe (${LABEL}) | status | time | peak RSS | note |\n|---|---|---|---|---|`);
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.status} | ${r.ms} ms | ${Number.isNaN(r.peak) ? '' : `${r.peak} MiB`} | ${r.note} |`,
  );
}
