/**
 * clickhouse-go over HTTP, the driver inside the Grafana ClickHouse plugin and
 * the contrib clickhouse exporter, against `aicost up`'s ClickHouse HTTP
 * interface: the hello query, Native answers, DESCRIBE TABLE and the
 * exporter's `INSERT ... FORMAT Native` batch, plain and gzip.
 * Needs the Go toolchain (skipped without it, except under CI=true where it fails); the client is in
 * ./go-client, built with -mod=readonly from the committed go.mod/go.sum (never rewritten here): the
 * modules come from the Go module cache, or the module proxy when the cache is cold.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TIMEOUT, type Collector, runCli, startCollector, tempDir } from './support.js';

const hasGo = spawnSync('go', ['version']).status === 0;
const clientDir = join(import.meta.dirname, 'go-client');

/** Builds the client; a failure says why in one message (a cold module cache without the proxy, most often). */
function buildClient(output: string): void {
  const build = spawnSync('go', ['build', '-mod=readonly', '-o', output, '.'], {
    cwd: clientDir,
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (build.status === 0) return;
  throw new Error(
    `could not build the clickhouse-go test client in ${clientDir} (go build -mod=readonly, exit ${build.status ?? build.signal}).\n` +
      'Its modules (clickhouse-go v2.47.0 and dependencies, pinned by the committed go.sum) must be in the Go module ' +
      'cache or reachable through the Go module proxy (GOPROXY); with a cold cache and no proxy, run ' +
      '`go mod download` there once with network access. go.mod/go.sum are never rewritten by this test.\n' +
      `go says:\n${build.stderr || build.error?.message || ''}`,
  );
}

if (!hasGo && process.env.CI === 'true') {
  describe('clickhouse-go over HTTP', () => {
    it('needs the Go toolchain under CI', () => {
      throw new Error('the Go toolchain (`go`) is not on PATH: CI must run the clickhouse-go test');
    });
  });
}

describe.skipIf(!hasGo)('clickhouse-go over HTTP', () => {
  let collector: Collector;
  let binary: string;
  const run = (...args: string[]) =>
    spawnSync(binary, [collector.clickhouseUrl.replace('http://', ''), ...args], {
      encoding: 'utf8',
      env: { ...process.env, CLICKHOUSE_PASSWORD: collector.password },
    });

  beforeAll(async () => {
    binary = join(tempDir('aicost-go-'), 'client');
    buildClient(binary);
    collector = await startCollector({ args: ['--writable'] });
  }, 660_000);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('inserts like the exporter (DESCRIBE + Native block) and the rows reach the request table', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const plain = run('insert');
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('version 26.7\ninserted 3\n');
    const gzip = run('insert', 'gzip');
    expect(gzip.status, gzip.stderr).toBe(0);
    const res = await runCli([
      'sql',
      '--data-dir',
      collector.dataDir,
      '--format',
      'csv',
      "SELECT feature, count() AS n, toString(sum(cost_total)) AS cost FROM otel.aicost_requests WHERE service = 'go-exporter' GROUP BY feature",
    ]);
    expect(res.stdout).toBe('feature,n,cost\nfrom-go,6,0.0006\n');
  });

  it('stores a Native batch sent again (an exporter retry) once, in otel_traces and the request table', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const count = async () =>
      (
        await runCli([
          'sql',
          '--data-dir',
          collector.dataDir,
          '--format',
          'csv',
          "SELECT (SELECT count() FROM otel.otel_traces WHERE ServiceName = 'go-exporter') AS spans, (SELECT count() FROM otel.aicost_requests WHERE service = 'go-exporter') AS requests",
        ])
      ).stdout;
    const before = await count();
    for (const compression of [[], ['gzip']]) {
      // The same batch as the first test sent: the exporter retries a batch whose answer it did not get.
      const retry = run('insert', ...compression);
      expect(retry.status, retry.stderr).toBe(0);
    }
    expect(before).toBe('spans,requests\n6,6\n');
    expect(await count()).toBe(before);
  });

  it('queries Map, Nested and DateTime64(9) columns in Native, plain and gzip', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, () => {
    for (const compression of [[], ['gzip']]) {
      const out = run('query', ...compression);
      expect(out.status, out.stderr).toBe(0);
      const rows = out.stdout.split('\n').filter((l) => l.startsWith('row '));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]).toBe('row chat gpt-4o from-go 1500 1800000000123456789 [ev]');
    }
  });

  it('reads through a read-only aicost up with its URL settings, and cannot write there', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    // The same store served read-only (the default), as Grafana's plugin meets it.
    expect(await collector.stop()).toBe(0);
    collector = await startCollector({ dataDir: collector.dataDir });
    for (const compression of [[], ['gzip']]) {
      const out = run('query', ...compression);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toContain('row chat gpt-4o from-go 1500 1800000000123456789 [ev]');
    }
    const insert = run('insert');
    expect(insert.status).not.toBe(0);
    expect(insert.stderr).toMatch(/READONLY|read-only/);
  });
});
