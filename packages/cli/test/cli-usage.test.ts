/**
 * The CLI's own usage: per-command help, --version, options parsed by
 * util.parseArgs, report filters on every dimension, start-up checks that
 * answer before the slow work (busy port, data directory not ignored by git).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args.js';
import { reportOptions } from '../src/commands/report.js';
import { reportSql } from '../src/report/query.js';
import { gitignoreHint } from '../src/startup-checks.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(packageDir, '../../node_modules/.bin/node');
const BIN = join(packageDir, 'dist/bin.js');
const run = (args: string[]) =>
  promisify(execFile)(NODE, [BIN, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

let busy: Server | undefined;
afterEach(() => busy?.close());

describe('aicost usage', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("up --help lists up's own flags, not another command's", async () => {
    const { code, stdout } = await run(['up', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--clickhouse-port <value>');
    expect(stdout).toContain('--no-prices');
    expect(stdout).not.toContain('--by');
  });

  it('an unknown option is a usage error naming it', async () => {
    const { code, stderr } = await run(['report', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("aicost report: Unknown option '--bogus'");
  });

  it('a busy OTLP port exits 2 before opening the store, naming the port and the flag to change it', async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy?.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const dataDir = join(mkdtempSync(join(tmpdir(), 'aicost-busy-')), 'store');
    const { code, stderr } = await run([
      'up',
      '--port',
      String(port),
      '--clickhouse-port',
      '0',
      '--data-dir',
      dataDir,
    ]);
    // Not a usage error (the command is right, the machine is not ready): exit 1, as test/cli/durability.test.ts pins.
    expect(code).toBe(1);
    expect(stderr).toBe(
      `aicost up: EADDRINUSE: 127.0.0.1:${port} is already in use (another aicost up, an OpenTelemetry Collector?); stop it, or choose another port with --port (0: any free port)\n`,
    );
  });
});

describe('options', () => {
  it('repeatable options collect values given several times and comma lists', () => {
    const args = parseArgs(['--by', 'feature,customer', '--by=day', '--customer', 'acme'], reportOptions);
    expect(args.options.by).toEqual(['feature', 'customer', 'day']);
    expect(args.options.customer).toEqual(['acme']);
  });

  it('a string option without its value is a usage error', () => {
    expect(() => parseArgs(['--since'], reportOptions)).toThrow(UsageError);
  });
});

describe('report filters', () => {
  it('filter any dimension, values bound as parameters, dimensions combined with AND', () => {
    const { sql, params } = reportSql({
      by: ['feature'],
      fromNs: 0n,
      toNs: 1n,
      filters: { customer: ['acme', "o'hara"], feature: ['chat'] },
    });
    expect(sql).toContain('feature IN ({feature_0:String})');
    expect(sql).toContain('customer IN ({customer_0:String}, {customer_1:String})');
    expect(params).toMatchObject({ feature_0: 'chat', customer_0: 'acme', customer_1: "o'hara" });
    expect(sql).not.toContain("o'hara");
  });
});

describe('the data directory and git', () => {
  const repo = mkdtempSync(join(tmpdir(), 'aicost-git-'));
  mkdirSync(join(repo, '.git'));

  it('hints to ignore the data directory when .gitignore does not', () => {
    expect(gitignoreHint(join(repo, '.aicost'))).toBe('add .aicost/ to .gitignore: it holds the local store');
  });

  it('says nothing once it is ignored, or outside a git work tree', () => {
    writeFileSync(join(repo, '.gitignore'), 'node_modules/\n.aicost/\n');
    expect(gitignoreHint(join(repo, '.aicost'))).toBeUndefined();
    expect(gitignoreHint(join(mkdtempSync(join(tmpdir(), 'aicost-nogit-')), '.aicost'))).toBeUndefined();
  });
});
