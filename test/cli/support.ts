/**
 * Helpers for suites that drive the real `aicost` binary: start `aicost up`
 * as a child process on random loopback ports, run CLI commands, and build
 * OTLP payloads with the OpenTelemetry SDK and its own serializers.
 *
 * Requires the built CLI (`packages/cli/dist/bin.js`, `tsup` in packages/cli).
 * An app-with-SDK end-to-end test can reuse `startCollector` and point
 * OTEL_EXPORTER_OTLP_ENDPOINT at `collector.otlpUrl`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, describe, it } from 'vitest';
import {
  PRODUCTION_CONFIG,
  type RunningCollector,
  startCollector as startCollectorProcess,
} from '../collector/support/collector-process.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, '..', '..');
/** The project's Node 24 (the system node is older). */
export const NODE = join(REPO, 'node_modules', '.bin', 'node');
/** The CLI under test; AICOST_CLI_BIN points the suites at another build (e.g. the code before a fix). */
export const CLI = process.env.AICOST_CLI_BIN ?? join(REPO, 'packages', 'cli', 'dist', 'bin.js');
/**
 * Timeout for tests that start engine child processes (`aicost up`, the CLI on a store):
 * each loads the ~550 MB engine, which takes tens of seconds on a loaded 2-core machine.
 */
export const CHILD_PROCESS_TIMEOUT = 120_000;

/**
 * `pnpm test` builds every package first; a direct vitest run builds the CLI
 * once if its dist is missing (test files run in parallel: one builds, the
 * others wait on a lock directory).
 */
export function assertCliBuilt(): void {
  if (existsSync(CLI)) return;
  const lock = join(tmpdir(), 'aicost-build-cli.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!existsSync(CLI)) {
      execFileSync(NODE, [join(REPO, 'node_modules/tsup/dist/cli-default.js')], {
        cwd: join(REPO, 'packages', 'cli'),
        stdio: 'pipe',
      });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const createdDirs: string[] = [];
const startedCollectors: ChildProcess[] = [];

/** A fresh directory, removed when the test file that asked for it ends. */
export function tempDir(prefix = 'aicost-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  createdDirs.push(dir);
  return dir;
}

// Registered once per test file that imports these helpers. Hooks run in reverse order of registration, so
// this one runs after the file's own afterAll hooks (which stop their collectors): a collector still running
// here belongs to a test that failed before stopping it. Store directories are ~6 MB each.
afterAll(async () => {
  await Promise.all(
    startedCollectors.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface Collector {
  otlpUrl: string;
  clickhouseUrl: string;
  dataDir: string;
  /** The credential `aicost up` keeps in its data directory (credential.json), required on its SQL port. */
  user: string;
  password: string;
  /** Headers that carry the credential, for fetch() on the SQL port. */
  authHeaders: Record<string, string>;
  process: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Sends a signal and waits for the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `aicost up` on random loopback ports and waits until it is ready. */
export async function startCollector(opts: { dataDir?: string; args?: string[] } = {}): Promise<Collector> {
  assertCliBuilt();
  const dataDir = opts.dataDir ?? tempDir();
  const child = spawn(
    NODE,
    [CLI, 'up', '--port', '0', '--clickhouse-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  startedCollectors.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aicost up did not start in time:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /ready otlp=(\S+) clickhouse=(\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aicost up exited with ${code}:\n${stderr}`));
    });
  });
  // Picked up from the data directory, as `aicost report`/`sql` on the same directory do (a build from before
  // credentials, run through AICOST_CLI_BIN, has none).
  const credentialFile = join(dataDir, 'credential.json');
  const credential = existsSync(credentialFile)
    ? (JSON.parse(readFileSync(credentialFile, 'utf8')) as { user: string; password: string })
    : { user: 'default', password: '' };
  return {
    otlpUrl: ready[1]!,
    clickhouseUrl: ready[2]!,
    dataDir,
    user: credential.user,
    password: credential.password,
    authHeaders: { 'X-ClickHouse-User': credential.user, 'X-ClickHouse-Key': credential.password },
    process: child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `runCli` options that pass a collector's credential (CLICKHOUSE_PASSWORD) to `--clickhouse-url` commands. */
export function withCredential(
  collector: Pick<Collector, 'password'>,
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): { input?: string; env?: NodeJS.ProcessEnv } {
  return { ...opts, env: { CLICKHOUSE_PASSWORD: collector.password, ...opts.env } };
}

/** Runs `aicost <args>` to completion. */
export function runCli(
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  assertCliBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CLICKHOUSE_URL: '', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export interface SpanSpec {
  name?: string;
  attributes: Attributes;
  kind?: SpanKind;
  error?: string;
  /** Start time in ms since the epoch (default: now). */
  startMs?: number;
  durationNs?: number;
  events?: { name: string; attributes?: Attributes }[];
}

/** Finished spans made by the real SDK, with the given resource attributes. */
export function makeSpans(
  specs: SpanSpec[],
  resource: Attributes = { 'service.name': 'checkout' },
): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('aicost-test', '1.2.3');
  const now = Date.now();
  for (const spec of specs) {
    const startMs = spec.startMs ?? now;
    const span = tracer.startSpan(spec.name ?? 'chat gpt-4o', {
      kind: spec.kind ?? SpanKind.CLIENT,
      attributes: spec.attributes,
      startTime: startMs,
    });
    for (const e of spec.events ?? []) span.addEvent(e.name, e.attributes);
    if (spec.error) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
    // hrtime pair keeps nanoseconds exact.
    const durationNs = spec.durationNs ?? 1_250_000_000;
    const startSec = Math.floor(startMs / 1000);
    const startNsRem = (startMs % 1000) * 1e6 + durationNs;
    span.end([startSec + Math.floor(startNsRem / 1e9), startNsRem % 1e9]);
  }
  return exporter.getFinishedSpans();
}

export type OtlpEncoding = 'protobuf' | 'json';

export function serializeSpans(spans: ReadableSpan[], encoding: OtlpEncoding): Uint8Array {
  const body =
    encoding === 'protobuf'
      ? ProtobufTraceSerializer.serializeRequest(spans)
      : JsonTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('serializer returned nothing');
  return body;
}

export interface PostResult {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** POSTs an OTLP/HTTP body. */
export async function postOtlp(
  url: string,
  body: Uint8Array | string,
  opts: {
    encoding?: OtlpEncoding;
    gzip?: boolean;
    signal?: 'traces' | 'metrics';
    contentType?: string;
    /** Extra request headers, e.g. the production collector's `Authorization: Bearer <token>`. */
    headers?: Record<string, string>;
  } = {},
): Promise<PostResult> {
  const encoding = opts.encoding ?? 'protobuf';
  const raw = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const headers: Record<string, string> = {
    'Content-Type':
      opts.contentType ?? (encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json'),
    ...opts.headers,
  };
  if (opts.gzip) headers['Content-Encoding'] = 'gzip';
  const res = await fetch(`${url}/v1/${opts.signal ?? 'traces'}`, {
    method: 'POST',
    headers,
    body: opts.gzip ? gzipSync(raw) : raw,
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Sum of 9-decimal USD strings, exactly (for expected values computed independently of the CLI). */
export function sumUsd(amounts: string[]): string {
  const nanos = amounts.reduce((n, a) => {
    const [whole, frac = ''] = a.split('.');
    return n + BigInt(whole!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  }, 0n);
  return `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** The slim collector's binary (`collector/build.sh --print-path`), if it has been built. */
export function collectorBinary(): string | undefined {
  try {
    const out = execFileSync('bash', [join(REPO, 'collector/build.sh'), '--print-path'], {
      encoding: 'utf8',
    });
    const path = out.trim().split('\n').pop();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The production collector (collector-process.ts) and the headers its OTLP receivers require. */
export interface Otelcol extends RunningCollector {
  authHeaders: Record<string, string>;
}

/**
 * The OpenTelemetry Collector built from collector/ (`binary`, production config.yaml) writing
 * into `local`'s ClickHouse HTTP interface (contrib clickhouseexporter over HTTP, `compress:
 * none`), its OTLP receivers requiring a bearer token of this run; ready once healthy.
 */
export async function startOtelcolInto(local: Collector, binary: string): Promise<Otelcol> {
  const token = randomBytes(16).toString('hex');
  const running = await startCollectorProcess(
    binary,
    [PRODUCTION_CONFIG],
    {
      CLICKHOUSE_ENDPOINT: local.clickhouseUrl,
      CLICKHOUSE_PASSWORD: local.password,
      CLICKHOUSE_COMPRESS: 'none',
      AICOST_OTLP_TOKEN: token,
      AICOST_QUEUE_DIR: join(local.dataDir, 'otelcol-queue'),
    },
    ['--set=service.telemetry.metrics.level=none'],
  );
  return { ...running, authHeaders: { Authorization: `Bearer ${token}` } };
}

/**
 * Under CI=true (.ci/run builds the collector first) a missing collector binary fails, instead of
 * skipping the suites that need it: a describe block `title` with one failing test.
 */
export function failWithoutCollectorUnderCi(binary: string | undefined, title: string): void {
  if (binary || process.env.CI !== 'true') return;
  describe(title, () => {
    it('needs the collector binary under CI', () => {
      throw new Error(
        'no collector binary: `collector/build.sh --print-path` names none (CI builds it first)',
      );
    });
  });
}

/** A loopback port free right now (for a process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
