/**
 * `aicost migrate --print`: the rendered schema for a layout and database, without connecting;
 * layout and database flags validated as usage errors.
 */
import { readSchema } from '@aicost/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => {
  delete process.env.AICOST_DATABASE;
});

describe('aicost migrate --print', () => {
  it('writes every statement of the cluster layout for the database given', async () => {
    const { code, stdout } = await run(['migrate', '--print', '--cluster', 'prod', '--database', 'finops']);
    expect(code).toBe(0);
    const expected = readSchema({ database: 'finops', layout: { kind: 'cluster', cluster: 'prod' } });
    for (const file of expected) {
      expect(stdout).toContain(`-- ${file.name}\n`);
      for (const statement of file.statements) expect(stdout).toContain(`${statement};\n`);
    }
    expect(stdout).toContain(
      "ENGINE = Distributed('prod', 'finops', 'aicost_requests_local', cityHash64(trace_id))",
    );
    expect(stdout).not.toMatch(/\botel\.aicost/);
  });

  it('takes the database from AICOST_DATABASE, and the Cloud layout from --cloud', async () => {
    process.env.AICOST_DATABASE = 'costs';
    const { code, stdout } = await run(['migrate', '--print', '--cloud']);
    expect(code).toBe(0);
    expect(stdout).toContain('CREATE DATABASE IF NOT EXISTS "costs"');
    expect(stdout).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
  });

  it('refuses a bad database or cluster name, and --cluster with --cloud, as usage errors', async () => {
    for (const argv of [
      ['--database', 'fin-ops'],
      ['--cluster', 'a b'],
      ['--cluster', 'c', '--cloud'],
    ]) {
      const { code, stderr } = await run(['migrate', '--print', ...argv]);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toMatch(/name must be letters|exclude each other/);
    }
  });
});
