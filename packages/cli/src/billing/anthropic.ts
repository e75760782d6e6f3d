/**
 * Anthropic: the Admin API's cost report and messages usage report (JSON
 * pages, one file per page or an array of pages).
 *
 * Where each field comes from:
 * - Cost report, GET /v1/organizations/cost_report
 *   (https://platform.claude.com/docs/en/api/admin/cost_report): `data[]` of buckets
 *   `{starting_at, ending_at, results[]}` (RFC 3339, 1-day buckets), `has_more`/`next_page`;
 *   result `amount` — a decimal STRING in the currency's lowest unit ("123.45" USD is $1.2345),
 *   `currency` ("USD"), `cost_type` (tokens, web_search, code_execution, ...), `description`,
 *   `model`, `service_tier` (standard, batch), `token_type` (uncached_input_tokens,
 *   output_tokens, cache_read_input_tokens, cache_creation.ephemeral_5m_input_tokens,
 *   cache_creation.ephemeral_1h_input_tokens), `context_window`, `workspace_id`.
 * - Messages usage report, GET /v1/organizations/usage_report/messages
 *   (https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages): result
 *   `uncached_input_tokens`, `cache_read_input_tokens`, `cache_creation.ephemeral_5m_input_tokens`,
 *   `cache_creation.ephemeral_1h_input_tokens`, `output_tokens`, `server_tool_use.web_search_requests`,
 *   `model`, `service_tier`, `workspace_id`, `api_key_id`, `context_window`; no money.
 */
import { isNegative, shiftDecimal } from './amount.js';
import type { JsonNode } from './json-tree.js';
import { utcDay } from './time.js';
import type { ParsedBillingRow } from './types.js';

const TOKEN_TYPES: Record<string, string> = {
  uncached_input_tokens: 'input',
  output_tokens: 'output',
  cache_read_input_tokens: 'cached_input',
  'cache_creation.ephemeral_5m_input_tokens': 'cache_write',
  'cache_creation.ephemeral_1h_input_tokens': 'cache_write',
};

function pages(root: JsonNode): JsonNode[] {
  return root.isArray() ? root.items() : [root];
}

function bucketDay(bucket: JsonNode): string {
  const raw = bucket.requiredText('starting_at');
  const day = utcDay(raw);
  if (!day) throw bucket.error(`${bucket.path}.starting_at`, `not an RFC 3339 time: ${JSON.stringify(raw)}`);
  return day;
}

/** Buckets with `starting_at` and `results`: which of the two reports, by the result fields. */
export function isAnthropicReport(root: JsonNode): 'anthropic-cost' | 'anthropic-usage' | undefined {
  let sawBuckets = false;
  for (const page of pages(root)) {
    if (!page.get('data').isArray()) return undefined;
    for (const bucket of page.get('data').items()) {
      if (!bucket.has('starting_at')) return undefined;
      sawBuckets = true;
      for (const result of bucket.get('results').items()) {
        if (result.has('amount')) return 'anthropic-cost';
        if (result.has('uncached_input_tokens') || result.has('output_tokens')) return 'anthropic-usage';
      }
    }
  }
  return sawBuckets ? 'anthropic-cost' : undefined;
}

export function parseAnthropicCost(root: JsonNode): ParsedBillingRow[] {
  const rows: ParsedBillingRow[] = [];
  for (const page of pages(root)) {
    for (const bucket of page.array('data')) {
      const day = bucketDay(bucket);
      for (const result of bucket.array('results')) {
        const cents = result.decimal('amount');
        if (cents === undefined) throw result.error(`${result.path}.amount`, 'missing');
        const cost = shiftDecimal(cents, 2);
        const currency = (result.text('currency') ?? 'USD').toUpperCase();
        const model = result.text('model') ?? '';
        const description = result.text('description') ?? '';
        const costType = result.text('cost_type') ?? '';
        const tokenType = result.text('token_type') ?? '';
        const usageType = TOKEN_TYPES[tokenType] ?? (costType && costType !== 'tokens' ? costType : 'other');
        rows.push({
          provider: 'anthropic',
          sourceFormat: 'anthropic-cost',
          account: '',
          project: result.text('workspace_id') ?? '',
          billedModel: model || description,
          modelHint: model || undefined,
          serviceTier: result.text('service_tier') ?? '',
          usageType,
          chargeType: isNegative(cost) ? 'credit' : 'usage',
          day,
          unit: '',
          cost,
          currency,
          line: result.line,
        });
      }
    }
  }
  return rows;
}

const USAGE_FIELDS: [path: string[], usageType: string, unit: string][] = [
  [['uncached_input_tokens'], 'input', 'tokens'],
  [['cache_read_input_tokens'], 'cached_input', 'tokens'],
  [['cache_creation', 'ephemeral_5m_input_tokens'], 'cache_write', 'tokens'],
  [['cache_creation', 'ephemeral_1h_input_tokens'], 'cache_write', 'tokens'],
  [['output_tokens'], 'output', 'tokens'],
  [['server_tool_use', 'web_search_requests'], 'web_search', 'requests'],
];

export function parseAnthropicUsage(root: JsonNode): ParsedBillingRow[] {
  const rows: ParsedBillingRow[] = [];
  for (const page of pages(root)) {
    for (const bucket of page.array('data')) {
      const day = bucketDay(bucket);
      for (const result of bucket.array('results')) {
        const model = result.text('model') ?? '';
        for (const [path, usageType, unit] of USAGE_FIELDS) {
          const parent = path.slice(0, -1).reduce((node, key) => node.get(key), result);
          const quantity = parent.decimal(path[path.length - 1] as string);
          if (quantity === undefined) continue;
          rows.push({
            provider: 'anthropic',
            sourceFormat: 'anthropic-usage',
            account: '',
            project: result.text('workspace_id') ?? '',
            billedModel: model,
            modelHint: model || undefined,
            serviceTier: result.text('service_tier') ?? '',
            usageType,
            chargeType: 'usage',
            day,
            quantity,
            unit,
            currency: '',
            line: result.line,
          });
        }
      }
    }
  }
  return rows;
}
