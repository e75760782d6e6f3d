/**
 * OpenAI: the organization Costs and Usage API responses (JSON pages, as a user
 * saves them, one file per page or an array of pages) and the usage
 * dashboard's cost export (CSV).
 *
 * Where each field comes from:
 * - Costs API, GET /v1/organization/costs (https://platform.openai.com/docs/api-reference/usage/costs,
 *   object `organization.costs.result`): page `data[]` of buckets `{start_time, end_time,
 *   results[]}` (Unix seconds, 1-day buckets), `has_more`/`next_page` for pagination; result
 *   `amount.value` (number) and `amount.currency` (lower-case ISO 4217), `line_item` (e.g.
 *   "gpt-4o-2024-08-06, input"; null unless grouped by line_item), `project_id`, `api_key_id`,
 *   `quantity`.
 * - Usage API, GET /v1/organization/usage/{completions,embeddings,...}
 *   (https://platform.openai.com/docs/api-reference/usage, `organization.usage.*.result`):
 *   `input_tokens` (cached tokens included), `input_cached_tokens`, `output_tokens`,
 *   `input_audio_tokens`, `output_audio_tokens`, `num_model_requests`, `project_id`,
 *   `api_key_id`, `model`, `batch` (bool), `service_tier`; no money.
 * - Dashboard export (Usage → Export → Cost data, CSV; columns as listed by
 *   https://docs.pelanor.io/integrations/services/openai): `start_time`, `end_time` (Unix seconds),
 *   `amount_value`, `amount_currency`, `line_item`, `project_id`, `project_name`,
 *   `organization_id`, `organization_name`.
 * The line item's parts after the model name are read as words: `input`, `cached input`,
 * `output`, ... the usage type; `batch`, `flex`, `priority`, `scale` the service tier.
 */
import { isNegative, subtractDecimalText } from './amount.js';
import { type CsvTable, decimalOrError } from './csv.js';
import type { JsonNode } from './json-tree.js';
import { utcDay } from './time.js';
import { BillingFormatError, type ChargeType, type ParsedBillingRow } from './types.js';

const TIERS = new Set(['batch', 'flex', 'priority', 'scale', 'default', 'standard']);

const USAGE_WORDS: Record<string, string> = {
  input: 'input',
  'cached input': 'cached_input',
  'cache read': 'cached_input',
  'cache write': 'cache_write',
  output: 'output',
  'audio input': 'input_audio',
  'audio output': 'output_audio',
  'image input': 'input_image',
  'image output': 'output_image',
  'cached audio input': 'cached_input',
};

export interface LineItem {
  modelHint?: string;
  usageType: string;
  serviceTier: string;
  unit: string;
}

/** "gpt-4o-2024-08-06, cached input, batch" → model, usage type, tier. */
export function parseLineItem(lineItem: string): LineItem {
  const [head = '', ...rest] = lineItem.split(',').map((p) => p.trim());
  // A line item without parts ("Image models", "Web search tool calls") names a product, not a model.
  if (rest.length === 0) return { usageType: 'other', serviceTier: '', unit: '' };
  let usageType = 'other';
  let serviceTier = '';
  for (const word of rest.map((p) => p.toLowerCase())) {
    if (TIERS.has(word)) serviceTier = word === 'default' ? 'standard' : word;
    else if (USAGE_WORDS[word]) usageType = USAGE_WORDS[word];
    else if (usageType === 'other') usageType = word.replace(/\s+/g, '_');
  }
  const tokens = usageType !== 'other' && !usageType.includes('call') && !usageType.includes('storage');
  return { modelHint: head, usageType, serviceTier, unit: tokens ? 'tokens' : '' };
}

function chargeOf(amount: string | undefined, lineItem: string): ChargeType {
  if (/refund/i.test(lineItem)) return 'refund';
  if (/credit|grant/i.test(lineItem) || isNegative(amount)) return 'credit';
  if (/tax/i.test(lineItem)) return 'tax';
  return 'usage';
}

/** The pages of a saved response: one page object, or an array of them (pagination). */
function pages(root: JsonNode): JsonNode[] {
  return root.isArray() ? root.items() : [root];
}

function bucketDay(bucket: JsonNode): string {
  const raw = bucket.requiredText('start_time');
  const day = utcDay(raw);
  if (!day) throw bucket.error(`${bucket.path}.start_time`, `not a Unix time: ${JSON.stringify(raw)}`);
  return day;
}

export function isOpenAiPage(root: JsonNode): 'openai-costs' | 'openai-usage' | undefined {
  for (const page of pages(root)) {
    if (page.text('object') !== 'page') return undefined;
    for (const bucket of page.get('data').items()) {
      for (const result of bucket.get('results').items()) {
        const object = result.text('object') ?? '';
        if (object === 'organization.costs.result') return 'openai-costs';
        if (object.startsWith('organization.usage.')) return 'openai-usage';
      }
    }
  }
  return pages(root).every((p) => p.text('object') === 'page') ? 'openai-costs' : undefined;
}

export function parseOpenAiCosts(root: JsonNode): ParsedBillingRow[] {
  const rows: ParsedBillingRow[] = [];
  for (const page of pages(root)) {
    for (const bucket of page.array('data')) {
      const day = bucketDay(bucket);
      for (const result of bucket.array('results')) {
        const amount = result.get('amount');
        const cost = amount.decimal('value');
        if (cost === undefined) throw result.error(`${amount.path}.value`, 'missing');
        const currency = (amount.text('currency') ?? '').toUpperCase();
        if (!currency) throw result.error(`${amount.path}.currency`, 'missing');
        const lineItem = result.text('line_item') ?? '';
        const item = parseLineItem(lineItem);
        const quantity = result.decimal('quantity');
        rows.push({
          provider: 'openai',
          sourceFormat: 'openai-costs',
          account: '',
          project: result.text('project_id') ?? '',
          billedModel: lineItem,
          modelHint: item.modelHint,
          serviceTier: item.serviceTier,
          usageType: item.usageType,
          chargeType: chargeOf(cost, lineItem),
          day,
          quantity,
          unit: quantity === undefined ? '' : item.unit,
          cost,
          currency,
          line: result.line,
        });
      }
    }
  }
  return rows;
}

/** Usage result fields → (usage type, unit). input_tokens includes the cached ones: split below. */
const USAGE_FIELDS: [field: string, usageType: string, unit: string][] = [
  ['output_tokens', 'output', 'tokens'],
  ['input_audio_tokens', 'input_audio', 'tokens'],
  ['output_audio_tokens', 'output_audio', 'tokens'],
  ['num_model_requests', 'requests', 'requests'],
  ['images', 'images', 'images'],
  ['characters', 'characters', 'characters'],
  ['seconds', 'seconds', 'seconds'],
  ['usage_bytes', 'storage', 'bytes'],
  ['num_sessions', 'sessions', 'sessions'],
];

export function parseOpenAiUsage(root: JsonNode): ParsedBillingRow[] {
  const rows: ParsedBillingRow[] = [];
  for (const page of pages(root)) {
    for (const bucket of page.array('data')) {
      const day = bucketDay(bucket);
      for (const result of bucket.array('results')) {
        const model = result.text('model') ?? '';
        const tier = result.bool('batch') ? 'batch' : (result.text('service_tier') ?? '');
        const base = {
          provider: 'openai',
          sourceFormat: 'openai-usage' as const,
          account: '',
          project: result.text('project_id') ?? '',
          billedModel: model,
          modelHint: model || undefined,
          serviceTier: tier === 'default' ? 'standard' : tier,
          chargeType: 'usage' as const,
          day,
          currency: '',
          line: result.line,
        };
        const input = result.decimal('input_tokens');
        const cached = result.decimal('input_cached_tokens') ?? '0';
        if (input !== undefined) {
          const uncached = subtractDecimalText(input, cached);
          if (isNegative(uncached))
            throw result.error(`${result.path}.input_cached_tokens`, 'more cached tokens than input tokens');
          rows.push({ ...base, usageType: 'input', quantity: uncached, unit: 'tokens' });
          if (cached !== '0')
            rows.push({ ...base, usageType: 'cached_input', quantity: cached, unit: 'tokens' });
        }
        for (const [field, usageType, unit] of USAGE_FIELDS) {
          const quantity = result.decimal(field);
          if (quantity !== undefined) rows.push({ ...base, usageType, quantity, unit });
        }
      }
    }
  }
  return rows;
}

export function isOpenAiCostsCsv(csv: CsvTable): boolean {
  return csv.has('amount_value') && csv.has('line_item') && csv.has('start_time');
}

export function parseOpenAiCostsCsv(csv: CsvTable, file: string): ParsedBillingRow[] {
  return csv.records.map((record) => {
    const start = record.get('start_time') ?? '';
    const day = utcDay(start);
    if (!day)
      throw new BillingFormatError(file, record.line, 'start_time', `not a time: ${JSON.stringify(start)}`);
    const raw = record.get('amount_value') ?? '';
    const cost = decimalOrError(raw, file, record.line, 'amount_value');
    const currency = (record.get('amount_currency') ?? '').trim().toUpperCase();
    if (!currency) throw new BillingFormatError(file, record.line, 'amount_currency', 'missing');
    const lineItem = record.get('line_item') ?? '';
    const item = parseLineItem(lineItem);
    return {
      provider: 'openai',
      sourceFormat: 'openai-costs-csv',
      account: record.get('organization_id') ?? '',
      project: record.get('project_id') ?? '',
      billedModel: lineItem,
      modelHint: item.modelHint,
      serviceTier: item.serviceTier,
      usageType: item.usageType,
      chargeType: chargeOf(cost, lineItem),
      day,
      unit: '',
      cost,
      currency,
      line: record.line,
    };
  });
}
