import { getJson, type PanelsAnswer } from '../api.ts';
import { spendChart } from '../chart.ts';
import { h, section } from '../dom.ts';
import { formatSumUsd, sumUsd } from '../money.ts';
import { apiQuery } from '../state.ts';
import { table } from '../table.ts';
import { dimensionLink, SPEND_COLUMNS, stat, statRow } from './common.ts';

export async function overviewPage(params: URLSearchParams): Promise<HTMLElement> {
  const { panels } = await getJson<PanelsAnswer>(`/api/overview?${apiQuery(params)}`);
  const savings = panels.cache_savings ?? [];
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'stats-line' },
      statRow(panels),
      stat(
        'Cache savings',
        formatSumUsd(sumUsd(savings, 'saved_usd')),
        'cache-saved',
        'cache reads vs input price',
      ),
    ),
    section(
      'Spend by provider and model',
      'Stacked per time bucket (at least one hour). Hover for exact amounts.',
      spendChart(panels.spend_over_time ?? [], 'Spend over time, stacked by provider and model'),
    ),
    h(
      'div',
      { class: 'grid2' },
      section(
        'Spend by feature',
        'Features by spend in the range; open one for its trend and requests.',
        table({
          caption: 'Spend by feature',
          testId: 'top-features',
          columns: [
            { key: 'feature', label: 'Feature', cell: (row) => dimensionLink('feature', row.feature) },
            ...SPEND_COLUMNS,
            { key: 'share_of_spend', label: 'Share', kind: 'share' },
            { key: 'unpriced_count', label: 'Unpriced', kind: 'count' },
          ],
          rows: panels.top_features ?? [],
        }),
      ),
      section(
        'Spend by customer',
        'Customers by spend in the range.',
        table({
          caption: 'Spend by customer',
          testId: 'top-customers',
          columns: [
            { key: 'customer', label: 'Customer', cell: (row) => dimensionLink('customer', row.customer) },
            ...SPEND_COLUMNS,
            { key: 'share_of_spend', label: 'Share', kind: 'share' },
            { key: 'unpriced_count', label: 'Unpriced', kind: 'count' },
          ],
          rows: panels.top_customers ?? [],
        }),
      ),
    ),
    h(
      'div',
      { class: 'grid2' },
      section(
        'Unpriced requests by reason',
        'Requests without a cost are not in the totals: load or override the price (unknown_model), or fix the instrumentation (missing_usage).',
        table({
          caption: 'Unpriced requests by reason',
          testId: 'unpriced-reasons',
          columns: [
            { key: 'provider', label: 'Provider' },
            { key: 'model', label: 'Model' },
            { key: 'reason', label: 'Reason' },
            { key: 'request_count', label: 'Requests', kind: 'count' },
            { key: 'last_seen', label: 'Last seen', kind: 'time' },
          ],
          rows: panels.unpriced_by_reason ?? [],
          empty: 'Every request in this range has a cost.',
        }),
      ),
      section(
        'What caching saved',
        'Cache-read tokens at the input price minus what they cost, by feature (whole UTC days; no customer filter).',
        table({
          caption: 'Cache savings by feature',
          testId: 'cache-savings',
          columns: [
            { key: 'feature', label: 'Feature' },
            { key: 'saved_usd', label: 'Saved', kind: 'usd' },
            { key: 'cache_read', label: 'Cache-read tokens', kind: 'count' },
          ],
          rows: savings,
        }),
      ),
    ),
  );
}
