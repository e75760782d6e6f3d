/**
 * AWS: Cost and Usage Report 2.0 rows (AWS Data Exports) for Amazon Bedrock, as
 * CSV (plain or gzip) or Parquet (read with hyparquet, a dependency-free reader).
 *
 * Where each field comes from (CUR 2.0 table dictionary,
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html):
 * `bill_payer_account_id`, `line_item_usage_account_id`, `line_item_line_item_type` (Usage,
 * Credit, Refund, Tax, Fee, *Discount...), `line_item_usage_start_date`,
 * `line_item_product_code` ("AmazonBedrock"), `line_item_usage_type` (e.g.
 * "USE1-Claude3.5Sonnet-input-tokens"), `line_item_resource_id` (the model or inference-profile
 * ARN when resource ids are included), `line_item_usage_amount`, `pricing_unit`,
 * `line_item_unblended_cost`, `line_item_currency_code`, `line_item_line_item_description`.
 * CUR's Parquet cost columns are doubles: they are read through their shortest decimal text
 * (what a CSV export of the same report prints). hyparquet alone decodes Snappy-compressed and
 * uncompressed Parquet; a file with another codec (ZSTD, GZIP) is refused with that reason
 * (export it as CSV instead). Rows of other AWS services are skipped (and counted).
 */
import { isNegative } from './amount.js';
import { type CsvTable, decimalOrError } from './csv.js';
import type { ParseResult } from './google.js';
import { utcDay } from './time.js';
import { BillingFormatError, type ChargeType, type ParsedBillingRow } from './types.js';

interface CurRow {
  line: number;
  get(column: string): string | undefined;
}

const PRODUCT = 'AmazonBedrock';

/** The Bedrock model id in a resource ARN, else the model part of the usage type. */
export function bedrockModelOf(resourceId: string, usageType: string): string | undefined {
  const arn = /(?:foundation-model|inference-profile|provisioned-model)\/([^/\s]+)$/.exec(resourceId);
  if (arn) return arn[1];
  const m = /^(?:[A-Z]{2,4}\d?-)?(.+?)-(?:input|output|cache|batch|provisioned|model|tokens)/i.exec(
    usageType,
  );
  return m?.[1] || undefined;
}

function usageTypeOf(usageType: string): string {
  const text = usageType.toLowerCase();
  if (/cache-?read/.test(text)) return 'cached_input';
  if (/cache-?write/.test(text)) return 'cache_write';
  if (/input/.test(text)) return 'input';
  if (/output/.test(text)) return 'output';
  return 'other';
}

function chargeOf(type: string, cost: string): ChargeType {
  if (/^(Usage|DiscountedUsage|SavingsPlanCoveredUsage)$/i.test(type))
    return isNegative(cost) ? 'credit' : 'usage';
  if (/credit/i.test(type)) return 'credit';
  if (/refund/i.test(type)) return 'refund';
  if (/tax/i.test(type)) return 'tax';
  if (/fee/i.test(type)) return 'fee';
  if (/discount/i.test(type)) return 'discount';
  return 'adjustment';
}

export function isCurCsv(csv: CsvTable): boolean {
  return csv.has('line_item_product_code') && csv.has('line_item_unblended_cost');
}

function parseRows(rows: CurRow[], file: string): ParseResult {
  const out: ParsedBillingRow[] = [];
  let skipped = 0;
  for (const row of rows) {
    const product = row.get('line_item_product_code') ?? row.get('product_servicecode') ?? '';
    if (product !== PRODUCT && !/bedrock/i.test(row.get('product_product_name') ?? '')) {
      skipped++;
      continue;
    }
    const start = row.get('line_item_usage_start_date') ?? '';
    const day = utcDay(start);
    if (!day)
      throw new BillingFormatError(
        file,
        row.line,
        'line_item_usage_start_date',
        `not a time: ${JSON.stringify(start)}`,
      );
    const cost = decimalOrError(
      row.get('line_item_unblended_cost'),
      file,
      row.line,
      'line_item_unblended_cost',
    );
    const currency = (row.get('line_item_currency_code') ?? '').toUpperCase();
    if (!currency) throw new BillingFormatError(file, row.line, 'line_item_currency_code', 'missing');
    const rawQuantity = row.get('line_item_usage_amount');
    const quantity = rawQuantity
      ? decimalOrError(rawQuantity, file, row.line, 'line_item_usage_amount')
      : undefined;
    const usageType = row.get('line_item_usage_type') ?? '';
    const pricingUnit = row.get('pricing_unit') ?? '';
    const tokens = /token/i.test(usageType) || /token/i.test(pricingUnit);
    out.push({
      provider: 'aws',
      sourceFormat: 'aws-cur2',
      account: row.get('bill_payer_account_id') ?? '',
      project: row.get('line_item_usage_account_id') ?? '',
      billedModel: usageType || (row.get('line_item_line_item_description') ?? ''),
      modelHint: bedrockModelOf(row.get('line_item_resource_id') ?? '', usageType),
      serviceTier: /batch/i.test(usageType) ? 'batch' : /flex/i.test(usageType) ? 'flex' : '',
      usageType: usageTypeOf(usageType),
      chargeType: chargeOf(row.get('line_item_line_item_type') ?? '', cost),
      day,
      quantity,
      unit: tokens && quantity !== undefined ? 'tokens' : pricingUnit,
      cost,
      currency,
      line: row.line,
    });
  }
  return { rows: out, skipped };
}

export function parseCurCsv(csv: CsvTable, file: string): ParseResult {
  return parseRows(
    csv.records.map((record) => ({ line: record.line, get: (column: string) => record.get(column) })),
    file,
  );
}

function cellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string')
    return String(value);
  return undefined;
}

export function isParquet(bytes: Uint8Array): boolean {
  const magic = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  return bytes.length >= 8 && magic(0) === 'PAR1' && magic(bytes.length - 4) === 'PAR1';
}

export async function parseCurParquet(bytes: Uint8Array, file: string): Promise<ParseResult> {
  const { parquetReadObjects } = await import('hyparquet');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let records: Record<string, unknown>[];
  try {
    records = await parquetReadObjects({ file: buffer });
  } catch (err) {
    throw new BillingFormatError(
      file,
      1,
      '',
      `not a readable Parquet file (${(err as Error).message}); Snappy or uncompressed Parquet, or CSV, are read`,
    );
  }
  return parseRows(
    records.map((record, i) => ({ line: i + 1, get: (column: string) => cellText(record[column]) })),
    file,
  );
}
