import { getJson, type PanelsAnswer, type Row } from '../api.ts';
import { spendChart } from '../chart.ts';
import { h, section } from '../dom.ts';
import { formatCount, formatNanosUsd, formatUsd } from '../money.ts';
import { apiQuery, hrefKeeping } from '../state.ts';
import { table } from '../table.ts';
import { first, SPEND_COLUMNS, stat, statRow, traceHref } from './common.ts';

/** `[10^(d-1), 10^d)` nano-USD as dollars, exactly. */
function bucketLabel(digits: number): string {
  const low = digits <= 1 ? 0n : 10n ** BigInt(digits - 1);
  return `${formatNanosUsd(low)} – ${formatNanosUsd(10n ** BigInt(digits))}`;
}

function distribution(rows: Row[]): HTMLElement {
  const most = Math.max(1, ...rows.map((row) => Number(row.request_count)));
  return h(
    'ul',
    { class: 'histogram', 'data-testid': 'cost-distribution' },
    rows.map((row) =>
      h(
        'li',
        {},
        h('span', { class: 'bucket' }, bucketLabel(Number(row.nano_digits))),
        h('span', { class: 'bar', style: `width:${(Number(row.request_count) / most) * 100}%` }),
        h('span', { class: 'num' }, `${formatCount(row.request_count)} req · ${formatUsd(row.spend_usd)}`),
      ),
    ),
  );
}

/** The page of one feature or one customer: the overview's queries with it selected. */
export async function detailPage(
  kind: 'feature' | 'customer',
  name: string,
  params: URLSearchParams,
): Promise<HTMLElement> {
  const scoped = new URLSearchParams(params);
  scoped.delete(kind);
  scoped.append(kind, name);
  const { panels } = await getJson<PanelsAnswer>(`/api/detail?${apiQuery(scoped)}`);
  const percentiles = first(panels.cost_percentiles);
  const label = kind === 'feature' ? 'Feature' : 'Customer';
  return h(
    'div',
    { class: 'page' },
    h('p', { class: 'crumbs' }, h('a', { href: hrefKeeping('/', [kind]) }, 'Overview'), ` / ${label}`),
    h('h1', {}, `${label}: ${name}`),
    statRow(panels),
    section(
      'Trend',
      'Spend per time bucket, stacked by provider and model.',
      spendChart(panels.spend_over_time ?? [], `Spend over time for ${kind} ${name}`),
    ),
    h(
      'div',
      { class: 'grid2' },
      section(
        'Top models',
        'Models by spend.',
        table({
          caption: 'Top models',
          testId: 'top-models',
          columns: [
            { key: 'provider', label: 'Provider' },
            { key: 'model', label: 'Model' },
            ...SPEND_COLUMNS,
          ],
          rows: panels.top_models ?? [],
        }),
      ),
      section(
        'Cost per request',
        'Priced requests by order of magnitude of their cost, and exact percentiles.',
        h(
          'div',
          { class: 'stats' },
          stat('Median', formatUsd(percentiles.p50_usd), 'p50'),
          stat('p90', formatUsd(percentiles.p90_usd), 'p90'),
          stat('p99', formatUsd(percentiles.p99_usd), 'p99'),
          stat('Max', formatUsd(percentiles.max_usd), 'max'),
        ),
        distribution(panels.cost_distribution ?? []),
      ),
    ),
    section(
      'Most expensive requests',
      'Single model calls by cost; open one for its trace.',
      table({
        caption: 'Most expensive requests',
        testId: 'most-expensive',
        columns: [
          { key: 'timestamp', label: 'Time', kind: 'time' },
          { key: 'cost_usd', label: 'Cost', kind: 'usd' },
          { key: 'provider', label: 'Provider' },
          { key: 'model', label: 'Model' },
          {
            key: kind === 'feature' ? 'customer' : 'feature',
            label: kind === 'feature' ? 'Customer' : 'Feature',
          },
          { key: 'input_tokens', label: 'Input', kind: 'count' },
          { key: 'output_tokens', label: 'Output', kind: 'count' },
          { key: 'cost_status', label: 'Status' },
        ],
        rows: (panels.most_expensive ?? []).slice(0, 20),
        rowHref: traceHref,
      }),
    ),
  );
}
