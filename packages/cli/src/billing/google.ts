/**
 * Google Cloud: Cloud Billing export rows for Vertex AI and the Gemini API,
 * from BigQuery exported as newline-delimited JSON (or a JSON array) or as CSV.
 *
 * Where each field comes from (standard usage cost export,
 * https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage):
 * `billing_account_id`, `service.description` ("Vertex AI", "Gemini API"), `sku.description`
 * (e.g. "Gemini 2.5 Flash Input Tokens"), `usage_start_time`, `project.id`, `cost` (before
 * credits), `currency`, `usage.amount`, `usage.unit`, `credits[]` (`name`, `amount` — negative —,
 * `type`, `id`, `full_name`), `cost_type` (regular, tax, adjustment, rounding error).
 * CSV: a record column becomes `service.description` or `service_description` (both read);
 * `credits` is the repeated record as JSON text (CSV cannot nest) and may be absent.
 * Rows of other Google Cloud services are skipped (and counted): only the AI services are
 * reconciled against traces.
 */
import { isNegative } from './amount.js';
import { type CsvRecord, type CsvTable, decimalOrError } from './csv.js';
import { type JsonNode, parseJson } from './json-tree.js';
import { utcDay } from './time.js';
import { BillingFormatError, type ChargeType, type ParsedBillingRow } from './types.js';

const AI_SERVICES = /vertex ai|gemini|generative language/i;

/** "Gemini 2.5 Flash Lite Input Tokens" → gemini-2.5-flash-lite. */
export function geminiModelOf(sku: string): string | undefined {
  const m =
    /\b(gemini|gemma|imagen|veo)[\s-]+(\d+(?:\.\d+)?)[\s-]+((?:flash|pro|ultra|nano)(?:[\s-]+(?:lite|image|live|thinking))?)/i.exec(
      sku,
    );
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`.toLowerCase().replace(/\s+/g, '-');
}

function usageTypeOf(sku: string): string {
  const text = sku.toLowerCase();
  if (/cach/.test(text)) return /storage/.test(text) ? 'cache_storage' : 'cached_input';
  if (/thinking|reasoning/.test(text)) return 'output';
  if (/output|response|generated/.test(text)) return 'output';
  if (/input|prompt/.test(text)) return 'input';
  return 'other';
}

function chargeOf(costType: string, cost: string): ChargeType {
  const type = costType.toLowerCase();
  if (type === 'tax') return 'tax';
  if (type === 'adjustment' || type.startsWith('rounding')) return 'adjustment';
  return isNegative(cost) ? 'credit' : 'usage';
}

interface GcpRow {
  line: number;
  get(path: string): string | undefined;
  credits(): { name: string; amount: string; type: string; line: number }[];
}

function rowFromJson(node: JsonNode): GcpRow {
  const at = (path: string) => {
    const parts = path.split('.');
    const parent = parts.slice(0, -1).reduce((n, key) => n.get(key), node);
    return parent;
  };
  return {
    line: node.line,
    get: (path) => at(path).text(path.split('.').pop() as string),
    credits: () =>
      node
        .get('credits')
        .items()
        .map((credit) => {
          const amount = credit.decimal('amount');
          if (amount === undefined) throw credit.error(`${credit.path}.amount`, 'missing');
          return {
            name: credit.text('name') ?? '',
            amount,
            type: credit.text('type') ?? '',
            line: credit.line,
          };
        }),
  };
}

function rowFromCsv(record: CsvRecord, file: string): GcpRow {
  return {
    line: record.line,
    get: (path) => record.first(path, path.replace(/\./g, '_')),
    credits: () => {
      const text = record.get('credits')?.trim();
      if (!text) return [];
      const node = parseJson(text, file, record.line - 1);
      if (!node.isArray())
        throw new BillingFormatError(file, record.line, 'credits', 'expected a JSON array');
      return node.items().map((credit) => {
        const amount = credit.decimal('amount');
        if (amount === undefined)
          throw new BillingFormatError(file, record.line, 'credits.amount', 'missing');
        return {
          name: credit.text('name') ?? '',
          amount,
          type: credit.text('type') ?? '',
          line: record.line,
        };
      });
    },
  };
}

export function isGcpCsv(csv: CsvTable): boolean {
  return (csv.has('sku.description') || csv.has('sku_description')) && csv.has('cost');
}

export function isGcpJson(node: JsonNode): boolean {
  return node.has('sku') && node.has('service') && node.has('cost');
}

export interface ParseResult {
  rows: ParsedBillingRow[];
  /** Rows of services that are not AI (not imported). */
  skipped: number;
}

function parseRows(rows: GcpRow[], file: string): ParseResult {
  const out: ParsedBillingRow[] = [];
  let skipped = 0;
  for (const row of rows) {
    const service = row.get('service.description') ?? '';
    if (!AI_SERVICES.test(service)) {
      skipped++;
      continue;
    }
    const sku = row.get('sku.description') ?? '';
    const start = row.get('usage_start_time') ?? '';
    const day = utcDay(start);
    if (!day)
      throw new BillingFormatError(
        file,
        row.line,
        'usage_start_time',
        `not a time: ${JSON.stringify(start)}`,
      );
    const cost = decimalOrError(row.get('cost'), file, row.line, 'cost');
    const currency = (row.get('currency') ?? '').toUpperCase();
    if (!currency) throw new BillingFormatError(file, row.line, 'currency', 'missing');
    const rawQuantity = row.get('usage.amount');
    const quantity = rawQuantity ? decimalOrError(rawQuantity, file, row.line, 'usage.amount') : undefined;
    const unit = row.get('usage.unit') ?? '';
    const model = geminiModelOf(sku);
    const base = {
      provider: 'google',
      sourceFormat: 'gcp-billing' as const,
      account: row.get('billing_account_id') ?? '',
      project: row.get('project.id') ?? '',
      billedModel: sku,
      modelHint: model,
      serviceTier: /batch/i.test(sku) ? 'batch' : /priority/i.test(sku) ? 'priority' : '',
      usageType: usageTypeOf(sku),
      day,
      currency,
    };
    const tokens = /token/i.test(sku) || /token/i.test(unit);
    out.push({
      ...base,
      chargeType: chargeOf(row.get('cost_type') ?? 'regular', cost),
      quantity,
      unit: tokens && quantity !== undefined ? 'tokens' : unit,
      cost,
      line: row.line,
    });
    for (const credit of row.credits()) {
      out.push({
        ...base,
        usageType: `credit:${(credit.type || credit.name || 'credit').toLowerCase()}`,
        chargeType: 'credit',
        unit: '',
        cost: credit.amount,
        line: credit.line,
      });
    }
  }
  return { rows: out, skipped };
}

export function parseGcpCsv(csv: CsvTable, file: string): ParseResult {
  return parseRows(
    csv.records.map((r) => rowFromCsv(r, file)),
    file,
  );
}

export function parseGcpJson(nodes: JsonNode[], file: string): ParseResult {
  return parseRows(nodes.map(rowFromJson), file);
}
