/**
 * `aicost billing load` and `aicost reconcile` as a user runs them (the built CLI), on what
 * goes wrong before any bill is compared: a store without the billing schema, bad flags.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../cli/support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/openai-costs-page1.json', import.meta.url));

describe('billing commands', () => {
  it('say how to add the billing schema to a store that predates it', async () => {
    const store = join(tempDir('aicost-noschema-'), 'store');
    mkdirSync(store);
    const reconcile = await runCli(['reconcile', '--data-dir', store]);
    expect(reconcile.code).toBe(1);
    expect(reconcile.stderr).toContain('otel.aicost_reconciliation does not exist in the store in');
    expect(reconcile.stderr).toContain('aicost migrate');
    const load = await runCli(['billing', 'load', FIXTURE, '--data-dir', store]);
    expect(load.code).toBe(1);
    expect(load.stderr).toContain('otel.aicost_billing does not exist');
  }, 60_000);

  it('load and reconcile in the schema database --database or AICOST_DATABASE names', async () => {
    const store = join(tempDir('aicost-finops-'), 'store');
    mkdirSync(store);
    const migrated = await runCli(['migrate', '--data-dir', store, '--database', 'finops']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const load = await runCli(['billing', 'load', FIXTURE, '--data-dir', store, '--database', 'finops']);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    const reconcile = await runCli(
      [
        'reconcile',
        '--data-dir',
        store,
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-01T23:59:59Z',
        '--format',
        'json',
      ],
      { env: { AICOST_DATABASE: 'finops' } },
    );
    expect(reconcile.stderr).toBe('');
    expect(reconcile.code).toBe(0);
    const report = JSON.parse(reconcile.stdout) as {
      totals: { billed_usd: string; ghost_usd: string };
      rows: { model: string; billed_usd: string | null }[];
    };
    // The fixture's four lines of 2026-12-01: $0.0123456789012 + $0.06 + $1.25 + $0.04, nothing traced.
    expect(report.totals.billed_usd).toBe('1.362345679');
    expect(report.totals.ghost_usd).toBe('1.362345679');
    expect(report.rows.map((r) => r.model).sort()).toEqual(['', 'gpt-4.1', 'gpt-4o-mini']);
  }, 120_000);

  it('refuse bad flags with a usage error (exit 2) before reading anything', async () => {
    const cases: [string[], string][] = [
      [['billing', 'load'], 'usage: aicost billing load <files...>'],
      [['billing', 'load', FIXTURE, '--format', 'xlsx'], '--format xlsx: choose from openai-costs,'],
      [
        ['billing', 'load', FIXTURE, '--usd-rate', 'EUR=abc'],
        '--usd-rate EUR=abc: expected CUR=<USD per unit>',
      ],
      [
        ['billing', 'load', FIXTURE, '--provider', 'ibm'],
        '--provider ibm: choose from openai, anthropic, google, aws, azure',
      ],
      [['reconcile', '--format', 'xml'], '--format must be table, json or csv'],
      [['reconcile', '--since', '30x'], '--since must look like 7d'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  }, 60_000);

  it('refuses a file of another provider than --provider says, naming it', async () => {
    const result = await runCli([
      'billing',
      'load',
      FIXTURE,
      '--provider',
      'anthropic',
      '--data-dir',
      tempDir(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `aicost billing: ${FIXTURE}:1: is a openai-costs file (openai), not anthropic\n`,
    );
  }, 60_000);
});
