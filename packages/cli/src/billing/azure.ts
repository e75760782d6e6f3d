/**
 * Azure: Cost Management exports (cost details CSV) for Azure OpenAI.
 *
 * Where each field comes from ("Understand cost details fields",
 * https://learn.microsoft.com/azure/cost-management-billing/automate/understand-usage-details-fields,
 * and the MCA/EA dataset schemas): `date` (ISO, or MM/DD/YYYY in EA files), `billingAccountId`,
 * `subscriptionId`/`subscriptionName`, `resourceGroupName`, `meterCategory`, `meterSubCategory`
 * ("Azure OpenAI"), `meterName` (e.g. "gpt-4o-mini-0718 Inp regnl Tokens"), `productName`,
 * `quantity`, `unitOfMeasure` ("1K", "1M", ...), `costInBillingCurrency`, `billingCurrency`,
 * `chargeType` (Usage, Purchase, Refund, ...). MCA files use camelCase and EA files PascalCase:
 * headers are matched case-insensitively, and `BillingCurrencyCode`/`Cost` are read when the
 * newer names are absent. Rows that are not Azure OpenAI are skipped (and counted).
 */
import { isNegative, multiplyDecimalText } from './amount.js';
import { type CsvTable, decimalOrError } from './csv.js';
import type { ParseResult } from './google.js';
import { utcDay } from './time.js';
import { BillingFormatError, type ChargeType, type ParsedBillingRow } from './types.js';

const METER_WORDS =
  /\b(inp|input|outp|output|opt|cached|cchd|cache|regnl|regional|glbl|global|data ?zone|dz|tokens?|batch|1k|1m|priority|pp)\b/gi;

/** "gpt-4o-mini-0718 Inp regnl Tokens" → gpt-4o-mini; "gpt 4o 0513 Input global Tokens" → gpt-4o. */
export function azureModelOf(meterName: string): string | undefined {
  const name = meterName.replace(METER_WORDS, ' ').trim().toLowerCase().replace(/\s+/g, '-');
  const model = name.replace(/-\d{4}$/, '').replace(/^gpt-(\d)/, 'gpt-$1');
  return model || undefined;
}

function usageTypeOf(meterName: string): string {
  const text = meterName.toLowerCase();
  if (/\b(cached|cchd)\b/.test(text)) return 'cached_input';
  if (/\b(inp|input)\b/.test(text)) return 'input';
  if (/\b(outp|output|opt)\b/.test(text)) return 'output';
  return 'other';
}

/** A unit of measure such as "1K" or "1M Tokens": quantities are in that many units. */
function unitMultiplier(unit: string): string {
  const m = /^\s*(\d+)\s*([KM]?)\b/i.exec(unit);
  if (!m) return '1';
  const scale = m[2]?.toUpperCase() === 'K' ? 1000n : m[2]?.toUpperCase() === 'M' ? 1_000_000n : 1n;
  return (BigInt(m[1] as string) * scale).toString();
}

function chargeOf(chargeType: string, cost: string): ChargeType {
  if (/refund/i.test(chargeType)) return 'refund';
  if (/credit/i.test(chargeType)) return 'credit';
  if (/tax/i.test(chargeType)) return 'tax';
  if (/usage/i.test(chargeType) || chargeType === '') return isNegative(cost) ? 'credit' : 'usage';
  return 'fee';
}

export function isAzureCsv(csv: CsvTable): boolean {
  return csv.has('meterCategory') && (csv.has('costInBillingCurrency') || csv.has('cost'));
}

export function parseAzureCsv(csv: CsvTable, file: string): ParseResult {
  const rows: ParsedBillingRow[] = [];
  let skipped = 0;
  for (const record of csv.records) {
    const category = `${record.get('meterCategory') ?? ''} ${record.get('meterSubCategory') ?? ''} ${record.get('productName') ?? ''}`;
    if (!/openai/i.test(category)) {
      skipped++;
      continue;
    }
    const date = record.first('date', 'UsageDateTime') ?? '';
    const day = utcDay(date);
    if (!day) throw new BillingFormatError(file, record.line, 'date', `not a date: ${JSON.stringify(date)}`);
    const costColumn = csv.has('costInBillingCurrency') ? 'costInBillingCurrency' : 'cost';
    const cost = decimalOrError(record.get(costColumn), file, record.line, costColumn);
    const currency = (record.first('billingCurrency', 'billingCurrencyCode', 'currency') ?? '').toUpperCase();
    if (!currency) throw new BillingFormatError(file, record.line, 'billingCurrency', 'missing');
    const meterName = record.get('meterName') ?? '';
    const unitOfMeasure = record.get('unitOfMeasure') ?? '';
    const rawQuantity = record.get('quantity');
    const tokens = /token/i.test(meterName) || /token/i.test(unitOfMeasure);
    const quantity = rawQuantity
      ? multiplyDecimalText(
          decimalOrError(rawQuantity, file, record.line, 'quantity'),
          tokens ? unitMultiplier(unitOfMeasure) : '1',
        )
      : undefined;
    rows.push({
      provider: 'azure',
      sourceFormat: 'azure-cost',
      account: record.first('billingAccountId', 'billingProfileId') ?? '',
      project: record.first('subscriptionName', 'subscriptionId') ?? '',
      billedModel: meterName,
      modelHint: azureModelOf(meterName),
      serviceTier: /\bbatch\b/i.test(meterName)
        ? 'batch'
        : /\b(priority|pp)\b/i.test(meterName)
          ? 'priority'
          : '',
      usageType: usageTypeOf(meterName),
      chargeType: chargeOf(record.get('chargeType') ?? '', cost),
      day,
      quantity,
      unit: tokens ? 'tokens' : unitOfMeasure,
      cost,
      currency,
      line: record.line,
    });
  }
  return { rows, skipped };
}
