/**
 * The report reads the engine's Decimal text: pinned against what the engine
 * prints for Decimal(38, 9) sums (the request table's money type) and for a
 * Decimal(38, 18) product, with and without trailing zeros.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCostText } from '../src/report/money.js';
import { LocalEngine } from '../src/store/engine.js';

const dir = join(tmpdir(), `aicost-report-money-${process.pid}`);
let engine: LocalEngine;

beforeAll(async () => {
  engine = await LocalEngine.open(dir, { applySchema: false });
});

afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function texts(sql: string): Promise<string[]> {
  return (await engine.query(sql)).text().trim().split('\t');
}

describe('Decimal text from the engine', () => {
  const amounts = ['0.000412500', '1.25', '0.000000001', '12345678901.000000007'];
  // Raw columns in TSV: `toString` never prints trailing zeros, the output format does when asked.
  const sum = `SELECT sum(x), sum(x) * toDecimal128('1', 9) FROM (SELECT arrayJoin([${amounts
    .map((a) => `toDecimal128('${a}', 9)`)
    .join(', ')}]) AS x)`;
  // The same sum in nano-USD, computed apart from the parser.
  const expected = 12_345_678_902_250_412_508n;

  it('reads a Decimal(38, 9) sum and a Decimal(38, 18) product exactly', async () => {
    const [sumText, productText] = await texts(sum);
    expect(sumText).toBe('12345678902.250412508');
    expect(parseCostText(sumText!)).toBe(expected);
    expect(parseCostText(productText!)).toBe(expected);
  });

  it('reads them printed with trailing zeros (18 digits for Decimal(38, 18))', async () => {
    const [sumText, productText] = await texts(`${sum} SETTINGS output_format_decimal_trailing_zeros = 1`);
    expect(productText).toMatch(/\.\d{18}$/);
    expect(parseCostText(sumText!)).toBe(expected);
    expect(parseCostText(productText!)).toBe(expected);
    const [zero] = await texts(
      "SELECT toDecimal128('0', 18) SETTINGS output_format_decimal_trailing_zeros = 1",
    );
    expect(parseCostText(zero!)).toBe(0n);
  });

  it('refuses an amount finer than a nano-dollar rather than rounding it', async () => {
    const [fine] = await texts("SELECT toDecimal128('0.0000000005', 18)");
    expect(() => parseCostText(fine!)).toThrow(/not an exact nano-USD amount/);
  });
});
