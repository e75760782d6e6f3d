/**
 * Turns parsed bill rows into rows of `<database>.aicost_billing` (060_billing.sql):
 * catalogue model ids, the user's project mapping, USD conversion at a rate the
 * user gave, and the row hash that makes a re-import replace instead of add.
 */
import { createHash } from 'node:crypto';
import { formatNanos } from '@aicost/core';
import { DEFAULT_DATABASE } from '@aicost/schema';
import { multiplyDecimalText, nanosOf } from './amount.js';
import type { ProjectMapping } from './mapping.js';
import { catalogueModelId } from './models.js';
import type { ParsedBillingRow } from './types.js';

/** The billing table of the schema in `database` (the CLI's --database / AICOST_DATABASE). */
export const billingTable = (database: string = DEFAULT_DATABASE): string => `${database}.aicost_billing`;

/** A row as inserted (JSONEachRow): Decimals as text, never numbers. */
export interface BillingTableRow {
  row_hash: string;
  import_id: string;
  provider: string;
  source_format: string;
  account: string;
  project: string;
  service: string;
  environment: string;
  billed_model: string;
  model: string;
  model_name: string;
  service_tier: string;
  usage_type: string;
  charge_type: string;
  day: string;
  quantity: string | null;
  unit: string;
  cost: string | null;
  cost_text: string;
  currency: string;
  usd_rate: string | null;
  cost_usd: string | null;
  source_file: string;
  source_line: number;
}

export interface TableRowOptions {
  file: string;
  importId: string;
  mapping: ProjectMapping;
  /** USD per unit of a currency, as the user gave them (`EUR` → `"1.08"`). */
  usdRates: ReadonlyMap<string, string>;
}

export function importIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function toTableRows(rows: readonly ParsedBillingRow[], opts: TableRowOptions): BillingTableRow[] {
  // The n-th identical row of a file is its own line item: the occurrence index keeps two
  // equal lines apart while an overlapping export of the same lines hashes the same.
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const identity = JSON.stringify([
      row.provider,
      row.sourceFormat,
      row.account,
      row.project,
      row.billedModel,
      row.serviceTier,
      row.usageType,
      row.chargeType,
      row.day,
      row.quantity ?? null,
      row.unit,
      row.cost ?? null,
      row.currency,
    ]);
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    const target = opts.mapping.lookup(row.provider, row.project);
    const rate = row.currency === 'USD' ? '1' : opts.usdRates.get(row.currency);
    const cost = row.cost === undefined ? null : formatNanos(nanosOf(row.cost));
    const model = catalogueModelId(row.provider, row.modelHint);
    return {
      row_hash: createHash('sha256').update(`${identity}#${occurrence}`).digest('hex'),
      import_id: opts.importId,
      provider: row.provider,
      source_format: row.sourceFormat,
      account: row.account,
      project: row.project,
      service: target?.service ?? '',
      environment: target?.environment ?? '',
      billed_model: row.billedModel,
      model,
      model_name: model || (row.modelHint ?? '').trim().toLowerCase(),
      service_tier: row.serviceTier,
      usage_type: row.usageType,
      charge_type: row.chargeType,
      day: row.day,
      quantity: row.quantity === undefined ? null : formatNanos(nanosOf(row.quantity)),
      unit: row.unit,
      cost,
      cost_text: row.cost ?? '',
      currency: row.currency,
      usd_rate: rate === undefined || row.currency === 'USD' ? null : rate,
      cost_usd:
        row.cost === undefined || rate === undefined
          ? null
          : formatNanos(nanosOf(multiplyDecimalText(row.cost, rate))),
      source_file: opts.file,
      source_line: row.line,
    };
  });
}

/** `INSERT ... FORMAT JSONEachRow` statements of at most `batch` rows. */
export function insertStatements(
  rows: readonly BillingTableRow[],
  database: string = DEFAULT_DATABASE,
  batch = 5000,
): string[] {
  const statements: string[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const body = rows
      .slice(i, i + batch)
      .map((row) => JSON.stringify(row))
      .join('\n');
    statements.push(`INSERT INTO ${billingTable(database)} FORMAT JSONEachRow\n${body}`);
  }
  return statements;
}
