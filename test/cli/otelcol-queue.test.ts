/**
 * The production collector's persistent sending queue (collector/config.yaml: file_storage +
 * sending_queue.storage), on the real build: ClickHouse is down while the collector
 * acknowledges spans, the collector crashes (SIGKILL) and is started again on the same queue
 * directory, then ClickHouse comes back. Every span the collector acknowledged must land in
 * otel_traces exactly once.
 *
 * "ClickHouse" is `aicost up --writable`'s ClickHouse HTTP interface, as in otelcol.test.ts:
 * down = nothing listens on its port yet; back = `aicost up` started on that port.
 * Skipped without the collector binary (collector/build.sh), except under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectorBinary,
  failWithoutCollectorUnderCi,
  freePort,
  postOtlp,
  REPO,
  runCli,
  startCollector,
  tempDir,
} from './support.js';

const binary = collectorBinary();
const TOKEN = 'otelcol-queue-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const REQUESTS = 12;
const SPANS_PER_REQUEST = 40;

/** One OTLP/JSON request of GenAI spans with fresh ids; returns the body and its span ids. */
function request(n: number): { body: string; spanIds: string[] } {
  const traceId = randomBytes(16).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: (now + BigInt(i)).toString(),
    endTimeUnixNano: (now + BigInt(i) + 1_000_000n).toString(),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: String(100 + i) } },
      { key: 'aicost.feature', value: { stringValue: `queue-${n}` } },
    ],
  }));
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'queue-test' } }] },
        scopeSpans: [{ scope: { name: 'queue-test' }, spans }],
      },
    ],
  });
  return { body, spanIds: spans.map((span) => span.spanId) };
}

interface Otelcol {
  child: ChildProcess;
  log(): string;
  exited: Promise<unknown>;
}

function startOtelcol(env: Record<string, string>): Otelcol {
  const child = spawn(
    binary!,
    [
      '--config',
      join(REPO, 'collector/config.yaml'),
      '--set=service.telemetry.metrics.level=none',
      // Faster than production (5 s flush, 5-30 s backoff) so the test takes seconds, not minutes.
      '--set=exporters.clickhouse.sending_queue.batch.flush_timeout=500ms',
      '--set=exporters.clickhouse.retry_on_failure.initial_interval=500ms',
      '--set=exporters.clickhouse.retry_on_failure.max_interval=1s',
    ],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.on('data', (d) => {
    log += d;
  });
  return { child, log: () => log, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n--- collector log ---\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

failWithoutCollectorUnderCi(binary, 'the production collector queue');

describe.skipIf(!binary)(
  'the production collector queue (file_storage) across a restart while ClickHouse is down',
  () => {
    it('lands every acknowledged span exactly once', async () => {
      const clickhousePort = await freePort();
      const otlpPort = await freePort();
      const dataDir = tempDir('aicost-otelcol-queue-store-');
      const queueDir = tempDir('aicost-otelcol-queue-');
      // aicost up requires its store's credential on the SQL port; the collector starts first
      // (ClickHouse down), so the credential is laid in the data directory before either starts.
      const password = 'queue-test-credential';
      writeFileSync(join(dataDir, 'credential.json'), JSON.stringify({ user: 'aicost', password }), {
        mode: 0o600,
      });
      const env = {
        CLICKHOUSE_USERNAME: 'aicost',
        CLICKHOUSE_PASSWORD: password,
        CLICKHOUSE_ENDPOINT: `http://127.0.0.1:${clickhousePort}`,
        CLICKHOUSE_COMPRESS: 'none',
        AICOST_OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlpPort}`,
        AICOST_OTLP_GRPC_ENDPOINT: '127.0.0.1:0',
        AICOST_HEALTH_ENDPOINT: '127.0.0.1:0',
        AICOST_OTLP_TOKEN: TOKEN,
        AICOST_QUEUE_DIR: queueDir,
      };
      const collectorUrl = `http://127.0.0.1:${otlpPort}`;
      let otelcol = startOtelcol(env);
      let local: Awaited<ReturnType<typeof startCollector>> | undefined;
      const log = () => otelcol.log();
      try {
        // 1. ClickHouse down: nothing listens on its port. Every request the collector answers
        //    200 is acknowledged (queued on disk).
        const acknowledged: string[] = [];
        const first = request(0);
        await until(
          'the collector to accept spans',
          async () => {
            const res = await postOtlp(collectorUrl, first.body, { encoding: 'json', headers: AUTH });
            return res.status === 200 ? true : undefined;
          },
          30_000,
          log,
        );
        acknowledged.push(...first.spanIds);
        for (let n = 1; n < REQUESTS; n++) {
          const { body, spanIds } = request(n);
          expect((await postOtlp(collectorUrl, body, { encoding: 'json', headers: AUTH })).status).toBe(200);
          acknowledged.push(...spanIds);
        }
        // The exporter tried, and failed, to insert (so the spans are out of the batcher and
        // in flight, the worst moment to crash).
        await until(
          'a failed export',
          async () => (/connection refused/.test(log()) ? true : undefined),
          30_000,
          log,
        );
        expect(readdirSync(queueDir).length).toBeGreaterThan(0);

        // 2. The collector crashes and starts again on the same queue; ClickHouse still down.
        otelcol.child.kill('SIGKILL');
        await otelcol.exited;
        otelcol = startOtelcol(env);
        await until(
          'the restarted collector to answer',
          async () => {
            const res = await postOtlp(collectorUrl, '{}', { encoding: 'json', headers: AUTH });
            return res.status === 200 ? true : undefined;
          },
          30_000,
          log,
        );

        // 3. ClickHouse comes back on the same port.
        local = await startCollector({
          dataDir,
          args: ['--writable', '--clickhouse-port', String(clickhousePort)],
        });
        expect(local.clickhouseUrl).toBe(`http://127.0.0.1:${clickhousePort}`);

        const count = async () => {
          const out = await runCli([
            'sql',
            '--data-dir',
            dataDir,
            "SELECT count() AS n, uniqExact(SpanId) AS spans FROM otel.otel_traces WHERE ServiceName = 'queue-test' FORMAT JSONEachRow",
          ]);
          return JSON.parse(out.stdout.trim()) as { n: string; spans: string };
        };
        await until(
          'every acknowledged span in otel_traces',
          async () => ((await count()).spans === String(acknowledged.length) ? true : undefined),
          90_000,
          log,
        );
        // A few more flush and retry periods: nothing may arrive twice.
        await new Promise((r) => setTimeout(r, 3_000));
        const landed = await runCli([
          'sql',
          '--data-dir',
          dataDir,
          "SELECT SpanId, count() AS copies FROM otel.otel_traces WHERE ServiceName = 'queue-test' GROUP BY SpanId FORMAT JSONEachRow",
        ]);
        const copies = new Map(
          landed.stdout
            .trim()
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as { SpanId: string; copies: string })
            .map((row) => [row.SpanId, Number(row.copies)]),
        );
        expect([...copies.keys()].sort()).toEqual([...acknowledged].sort());
        expect(
          [...copies.values()].filter((n) => n !== 1),
          log(),
        ).toEqual([]);
      } finally {
        otelcol.child.kill('SIGTERM');
        await otelcol.exited;
        if (local) expect(await local.stop()).toBe(0);
      }
    }, 240_000);
  },
);
