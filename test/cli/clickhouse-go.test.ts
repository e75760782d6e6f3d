/**
 * clickhouse-go over HTTP, the driver inside the Grafana ClickHouse plugin and
 * the contrib clickhouse exporter, against `aicost up`'s ClickHouse HTTP
 * interface: the hello query, Native answers, DESCRIBE TABLE and the
 * exporter's `INSERT ... FORMAT Native` batch, plain and gzip.
 * Needs the Go toolchain (skipped without it); the client is in ./go-client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, runCli, startCollector, tempDir } from './support.js';

const hasGo = spawnSync('go', ['version']).status === 0;
const clientDir = join(import.meta.dirname, 'go-client');

describe.skipIf(!hasGo)('clickhouse-go over HTTP', () => {
  let collector: Collector;
  let binary: string;
  const run = (...args: string[]) =>
    spawnSync(binary, [collector.clickhouseUrl.replace('http://', ''), ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    binary = join(tempDir('aicost-go-'), 'client');
    execFileSync('go', ['build', '-o', binary, '.'], {
      cwd: clientDir,
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      stdio: 'inherit',
    });
    collector = await startCollector({ args: ['--writable'] });
  }, 240_000);

  afterAll(async () => {
    expect(await collector?.stop()).toBe(0);
  });

  it('inserts like the exporter (DESCRIBE + Native block) and the rows reach the request table', async () => {
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

  it('queries Map, Nested and DateTime64(9) columns in Native, plain and gzip', () => {
    for (const compression of [[], ['gzip']]) {
      const out = run('query', ...compression);
      expect(out.status, out.stderr).toBe(0);
      const rows = out.stdout.split('\n').filter((l) => l.startsWith('row '));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]).toBe('row chat gpt-4o from-go 1500 1800000000123456789 [ev]');
    }
  });
});
