/**
 * The checks of `aicost revenue|targets|capacity load` and the price-for-margin arithmetic,
 * without an engine: every problem of a file is reported with its line or record, and a
 * file with any problem yields no rows at all.
 */
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../src/economics/data-file.js';
import { readDataFile } from '../src/economics/load.js';
import { parseMargin, priceForMargin } from '../src/economics/price-for-margin.js';
import { CAPACITY, REVENUE, TARGETS } from '../src/economics/tables.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('capacity files', () => {
  it('reads pools on whole hours, UTC, and refuses what is not', () => {
    const rows = readDataFile(
      CAPACITY,
      'capacity.csv',
      'pool,tier,units,unit_usd_per_hour,valid_from,valid_to\nvllm-a,self_hosted,8,2.10,2026-12-01T00:00:00Z,2026-12-02 00:00:00\n',
    );
    expect(rows).toEqual([
      {
        pool: 'vllm-a',
        tier: 'self_hosted',
        units: 8,
        unit_usd_per_hour: '2.10',
        valid_from: '2026-12-01 00:00:00',
        valid_to: '2026-12-02 00:00:00',
      },
    ]);
    expect(
      problems(() =>
        readDataFile(
          CAPACITY,
          'capacity.csv',
          [
            'pool,tier,units,unit_usd_per_hour,valid_from,valid_to',
            'a,gpu,0,1,2026-12-01T00:30:00Z,2026-12-01T02:00:00Z',
            'b,cloud_gpu,1,1,2026-12-01T05:00:00Z,2026-12-01T05:00:00Z',
          ].join('\n'),
        ),
      ),
    ).toEqual([
      'line 2: tier: "gpu": choose self_hosted, cloud_gpu, provisioned',
      'line 2: units: "0" is not a positive integer',
      'line 2: valid_from: "2026-12-01T00:30:00Z" is not on the hour',
      'line 3: valid_to 2026-12-01 05:00:00 is not after valid_from',
    ]);
  });
});

describe('revenue and targets files', () => {
  it('JSON must be an array of objects; other extensions are refused', () => {
    expect(problems(() => readDataFile(REVENUE, 'r.json', '{"customer":"a"}'))).toEqual([
      'r.json: expected a JSON array of objects',
    ]);
    expect(problems(() => readDataFile(REVENUE, 'r.json', '[1]'))).toEqual(['record 1: expected an object']);
    expect(problems(() => readDataFile(REVENUE, 'r.jsonl', '{"customer":'))[0]).toMatch(/^line 1: not JSON/);
    expect(problems(() => readDataFile(REVENUE, 'r.xlsx', ''))).toEqual([
      'r.xlsx: use a .csv, .json or .jsonl file',
    ]);
    expect(
      problems(() => readDataFile(REVENUE, 'r.csv', 'customer,period_start,period_end,amount\n')),
    ).toEqual(['no rows']);
  });

  it('numbers in JSON are read through their decimal text; amounts beyond Decimal(38, 9) are refused', () => {
    const [row] = readDataFile(
      REVENUE,
      'r.json',
      JSON.stringify([{ customer: 'a', period_start: '2026-12-01', period_end: '2026-12-31', amount: 0.1 }]),
    );
    expect(row?.amount).toBe('0.1');
    expect(
      problems(() =>
        readDataFile(
          REVENUE,
          'r.csv',
          `customer,period_start,period_end,amount\na,2026-12-01,2026-12-31,${'9'.repeat(30)}\n`,
        ),
      ),
    ).toEqual([`line 2: amount: "${'9'.repeat(30)}" is too large`]);
  });

  it('targets: 70% and 0.7 are the same ratio; 100% and negative ratios are refused', () => {
    const rows = readDataFile(TARGETS, 't.csv', 'feature,min_margin\na,70%\nb,0.7\nc,12.5%\n');
    expect(rows.map((r) => r.min_margin)).toEqual(['0.70', '0.7', '0.125']);
    expect(problems(() => readDataFile(TARGETS, 't.csv', 'feature,min_margin\na,100%\nb,-0.1\n'))).toEqual([
      'line 2: min_margin: "100%" must be at least 0 and below 100%',
      'line 3: min_margin: "-0.1" must be at least 0 and below 100%',
    ]);
  });
});

describe('price for a margin', () => {
  it('is cost / (1 - margin), rounded up to the nano-dollar', () => {
    expect(priceForMargin(300n, parseMargin('70%'))).toBe(1000n);
    expect(priceForMargin(301n, parseMargin('70%'))).toBe(1004n); // 1003.33... up
    expect(priceForMargin(0n, parseMargin('0.99'))).toBe(0n);
    expect(priceForMargin(7n, parseMargin('0%'))).toBe(7n);
  });
});
