/**
 * `aicost revenue load` / `aicost targets load` as a user runs them on a local store: a good
 * file is loaded in one insert; a file with bad rows is refused whole, every problem named with
 * its line (CSV, JSON Lines) or record (JSON), and the table is left exactly as it was.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support.js';

let dataDir: string;
let files: string;

async function sql(query: string): Promise<Record<string, string>[]> {
  const result = await runCli(['sql', '--data-dir', dataDir, '--format', 'json', query]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

function file(name: string, content: string): string {
  const path = join(files, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(async () => {
  dataDir = join(tempDir(), 'store');
  files = tempDir();
  const migrated = await runCli(['migrate', '--data-dir', dataDir]);
  expect(migrated.code).toBe(0);
}, 120_000);

describe('aicost revenue load', () => {
  it('loads a CSV file: amounts exact, defaults applied, currency upper-cased', async () => {
    const path = file(
      'revenue.csv',
      [
        'customer,segment,plan,period_start,period_end,amount,currency',
        'acme,smb,starter,2026-11-01,2026-11-30,1234.567890123,usd',
        '"globex, inc.",enterprise,scale,2026-11-01,2026-11-30,99999999999999999999.000000001,',
      ].join('\n'),
    );
    const result = await runCli(['revenue', 'load', path, '--data-dir', dataDir]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('loaded 2 row(s) into otel.aicost_revenue');
    expect(
      await sql(
        'SELECT customer, feature, toString(amount) AS amount, currency FROM otel.aicost_revenue_current ORDER BY customer',
      ),
    ).toEqual([
      { customer: 'acme', feature: '', amount: '1234.567890123', currency: 'USD' },
      { customer: 'globex, inc.', feature: '', amount: '99999999999999999999.000000001', currency: 'USD' },
    ]);
  });

  it('refuses a CSV file with bad rows, naming each line, and loads none of its good rows', async () => {
    const path = file(
      'bad.csv',
      [
        'customer,segment,plan,period_start,period_end,amount,currency',
        'initech,smb,starter,2026-12-01,2026-12-31,10,USD',
        'hooli,smb,starter,2026-12-01,2026-12-31,abc,USD',
        ',smb,starter,2026-12-01,2026-12-31,1,USD',
        'umbrella,smb,starter,2026-12-31,2026-12-01,1,USD',
        'soylent,smb,starter,2026-02-30,2026-03-31,-1,dollars',
        'initech,smb,starter,2026-12-01,2026-12-31,0.0000000001,USD',
      ].join('\n'),
    );
    const result = await runCli(['revenue', 'load', path, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  '));
    expect(problems).toEqual([
      '  line 3: amount: "abc" is not a number',
      '  line 4: customer is required',
      '  line 5: period_end 2026-12-01 is before period_start 2026-12-31',
      '  line 6: period_start: "2026-02-30" is not a date (YYYY-MM-DD)',
      '  line 6: amount: "-1" is negative',
      '  line 6: currency: "dollars" is not an ISO 4217 currency code',
      '  line 7: amount: "0.0000000001" has more than 9 decimals',
    ]);
    expect(result.stderr).toContain('7 problem(s), nothing loaded');
    expect(await sql("SELECT count() AS n FROM otel.aicost_revenue WHERE customer = 'initech'")).toEqual([
      { n: '0' },
    ]);
  });

  it('refuses unknown columns and duplicate keys; JSON records and JSON Lines lines are numbered', async () => {
    const json = file(
      'bad.json',
      JSON.stringify([
        { customer: 'a', period_start: '2026-12-01', period_end: '2026-12-31', amount: '1' },
        { customer: 'a', period_start: '2026-12-01', period_end: '2026-12-31', amount: 2, discount: '5%' },
      ]),
    );
    const jsonResult = await runCli(['revenue', 'load', json, '--data-dir', dataDir]);
    expect(jsonResult.code).toBe(1);
    expect(jsonResult.stderr).toContain('  record 2: unknown column "discount"');
    const lines = file(
      'dup.jsonl',
      [
        '{"customer":"b","period_start":"2026-12-01","period_end":"2026-12-31","amount":"1"}',
        '',
        '{"customer":"b","period_start":"2026-12-01","period_end":"2026-12-31","amount":"3"}',
      ].join('\n'),
    );
    const linesResult = await runCli(['revenue', 'load', lines, '--data-dir', dataDir]);
    expect(linesResult.code).toBe(1);
    expect(linesResult.stderr).toContain('  line 3: same key as line 1');
    expect(await sql("SELECT count() AS n FROM otel.aicost_revenue WHERE customer IN ('a', 'b')")).toEqual([
      { n: '0' },
    ]);
  });

  it('a corrected file loaded again replaces the rows with the same key', async () => {
    const path = file(
      'fix.csv',
      'customer,plan,period_start,period_end,amount\nacme,starter,2026-11-01,2026-11-30,1300\n',
    );
    expect((await runCli(['revenue', 'load', path, '--data-dir', dataDir])).code).toBe(0);
    expect(
      await sql("SELECT toString(amount) AS amount FROM otel.aicost_revenue_current WHERE customer = 'acme'"),
    ).toEqual([{ amount: '1300' }]);
  });
});

describe('aicost targets load', () => {
  it('reads 70% and 0.7 alike and requires at least one target per row', async () => {
    const path = file(
      'targets.csv',
      'feature,min_margin,max_cost_per_request\nsupport,70%,\nsearch,0.65,0.002\nchat,,\n',
    );
    const bad = await runCli(['targets', 'load', path, '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('  line 4: give min_margin, max_cost_per_request or both');
    const good = file(
      'targets-ok.csv',
      'feature,min_margin,max_cost_per_request\nsupport,70%,\nsearch,0.65,0.002\n',
    );
    expect((await runCli(['targets', 'load', good, '--data-dir', dataDir])).code).toBe(0);
    expect(
      await sql(
        'SELECT feature, toString(min_margin) AS min_margin, toString(max_cost_per_request) AS max FROM otel.aicost_targets_current ORDER BY feature',
      ),
    ).toEqual([
      { feature: 'search', min_margin: '0.65', max: '0.002' },
      { feature: 'support', min_margin: '0.7', max: null },
    ]);
  });
});
