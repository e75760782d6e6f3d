/**
 * Unit economics: the Economics dashboard's panels (margin, cost per outcome, releases, what-if,
 * capacity), each the dashboard's own query. What-if figures are estimates and say so on the
 * page, in their headings and their column names; they are never shown as a cost.
 */
import { getJson, type PanelsAnswer, type Row } from '../api.ts';
import { h, section } from '../dom.ts';
import { formatMoney, formatNanosUsd, formatUsd, sumUsd, UNKNOWN } from '../money.ts';
import { apiQuery } from '../state.ts';
import { table } from '../table.ts';
import { dimensionLink, stat } from './common.ts';

const period = (row: Row) => `${String(row.period_start)} – ${String(row.period_end)}`;

export async function economicsPage(params: URLSearchParams): Promise<HTMLElement> {
  const { panels } = await getJson<PanelsAnswer>(`/api/economics?${apiQuery(params)}`);
  const whatif = panels.whatif_savings ?? [];
  const capacity = panels.capacity ?? [];
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Economics'),
    h(
      'div',
      { class: 'stats' },
      stat(
        'Idle capacity cost',
        // No capacity pool in the range: nothing declared stood idle, so $0.00 (not unknown).
        formatNanosUsd(sumUsd(capacity, 'idle_usd') ?? 0n),
        'idle-cost',
        'capacity hours not allocated to requests',
      ),
      stat(
        'Estimated savings (estimate)',
        whatif.length > 0 ? formatUsd(whatif[0]!.estimated_savings_usd) : UNKNOWN,
        'top-estimate',
        'largest single what-if below; not a measured cost',
      ),
    ),
    section(
      'Gross AI margin by customer',
      'Per customer and billing period overlapping the range: what the customer pays (aicost revenue load), the AI cost of its requests on the billed days, and the margin. Lowest margin first. An empty cost means requests without a price; revenue in another currency has no margin. Filter: customer.',
      table({
        caption: 'Gross AI margin by customer',
        testId: 'customer-margin',
        columns: [
          { key: 'customer', label: 'Customer', cell: (row) => dimensionLink('customer', row.customer) },
          { key: 'segment', label: 'Segment' },
          { key: 'period', label: 'Billing period', cell: period },
          {
            key: 'revenue',
            label: 'Revenue',
            kind: 'usd',
            cell: (row) => formatMoney(row.revenue, row.currency),
          },
          { key: 'ai_cost_usd', label: 'AI cost', kind: 'usd' },
          { key: 'margin_usd', label: 'Margin', kind: 'usd' },
          { key: 'margin_ratio', label: 'Margin %', kind: 'share' },
        ],
        rows: panels.customer_margin ?? [],
        empty: 'No revenue in this range: load it with aicost revenue load.',
      }),
    ),
    section(
      'Gross AI margin by segment',
      'Per segment and billing period: revenue, AI cost and margin of its customers, and the change from the period before (falling margins first). No filter applies.',
      table({
        caption: 'Gross AI margin by segment',
        testId: 'segment-margin',
        columns: [
          { key: 'segment', label: 'Segment' },
          { key: 'period', label: 'Billing period', cell: period },
          { key: 'customers', label: 'Customers', kind: 'count' },
          {
            key: 'revenue',
            label: 'Revenue',
            kind: 'usd',
            cell: (row) => formatMoney(row.revenue, row.currency),
          },
          { key: 'ai_cost_usd', label: 'AI cost', kind: 'usd' },
          { key: 'margin_ratio', label: 'Margin %', kind: 'share' },
          { key: 'previous_margin_ratio', label: 'Period before', kind: 'share' },
          { key: 'margin_ratio_change', label: 'Change', kind: 'points' },
          {
            key: 'margin_falling',
            label: 'Falling',
            cell: (row) => (row.margin_falling === true || row.margin_falling === 1 ? 'falling' : '—'),
          },
        ],
        rows: panels.segment_margin ?? [],
        empty: 'No revenue in this range.',
      }),
    ),
    section(
      'Cost per outcome by feature',
      'Outcomes recorded with recordOutcome() and the priced model calls of their traces, in any service, each trace counted once. Filters: feature, customer, environment.',
      table({
        caption: 'Cost per outcome by feature',
        testId: 'cost-per-outcome',
        columns: [
          { key: 'outcome', label: 'Outcome' },
          { key: 'feature', label: 'Feature', cell: (row) => dimensionLink('feature', row.feature) },
          { key: 'outcome_count', label: 'Outcomes', kind: 'count' },
          { key: 'model_calls', label: 'Model calls', kind: 'count' },
          { key: 'unpriced_calls', label: 'Unpriced calls', kind: 'count' },
          { key: 'cost_usd', label: 'Cost', kind: 'usd' },
          { key: 'cost_per_outcome_usd', label: 'Per outcome', kind: 'usd' },
        ],
        rows: panels.cost_per_outcome ?? [],
        empty: 'No outcomes in this range: record them with recordOutcome().',
      }),
    ),
    // Full width: with the change columns these tables are too wide for half the page.
    h(
      'div',
      {},
      section(
        'Cost per request by release',
        'Per service and release (service.version) seen in the range: cost per priced request and the change from the release before. Filters: service, environment.',
        table({
          caption: 'Cost per request by release',
          testId: 'release-costs',
          columns: [
            { key: 'service', label: 'Service' },
            { key: 'release', label: 'Release' },
            { key: 'first_seen', label: 'First seen', kind: 'time' },
            { key: 'requests', label: 'Requests', kind: 'count' },
            { key: 'cost_per_request_usd', label: 'Per request', kind: 'usd' },
            { key: 'previous_release', label: 'Release before' },
            { key: 'change_usd', label: 'Change', kind: 'usd-change' },
            { key: 'change_ratio', label: 'Change %', kind: 'share' },
          ],
          rows: panels.release_costs ?? [],
        }),
      ),
      section(
        'Cost per outcome by release',
        'Per service and release of the model calls, and outcome: the outcomes recorded (by any service) in the traces where the release made calls, over the cost of its calls there, and the change from the release before. Filters: service, environment.',
        table({
          caption: 'Cost per outcome by release',
          testId: 'release-outcome-costs',
          columns: [
            { key: 'service', label: 'Service' },
            { key: 'release', label: 'Release' },
            { key: 'outcome', label: 'Outcome' },
            { key: 'outcomes', label: 'Outcomes', kind: 'count' },
            { key: 'cost_per_outcome_usd', label: 'Per outcome', kind: 'usd' },
            { key: 'previous_release', label: 'Release before' },
            { key: 'change_usd', label: 'Change', kind: 'usd-change' },
          ],
          rows: panels.release_outcome_costs ?? [],
        }),
      ),
    ),
    section(
      'Largest what-if savings (estimates)',
      'ESTIMATES, not measured costs: the priced requests of the range re-priced on each other model already in use, same token counts, cache kept, at the price valid now. Estimated savings = recorded cost − estimate. Every filter applies.',
      table({
        caption: 'Largest what-if savings (estimates, not measured costs)',
        testId: 'whatif',
        columns: [
          { key: 'feature', label: 'Feature' },
          { key: 'model', label: 'Model' },
          { key: 'candidate', label: 'Candidate model' },
          { key: 'requests', label: 'Requests', kind: 'count' },
          { key: 'recorded_usd', label: 'Recorded cost', kind: 'usd' },
          { key: 'estimate_usd', label: 'Estimate on candidate', kind: 'usd' },
          { key: 'estimated_savings_usd', label: 'Estimated savings', kind: 'usd' },
        ],
        rows: whatif,
        empty: 'No cheaper model in use for these requests.',
      }),
    ),
    section(
      'Capacity utilisation and idle cost',
      'Per capacity pool (aicost capacity load) over the range: what its hours cost, what was allocated to the requests it served (in proportion to tokens) and what stayed idle; allocated + idle = capacity exactly. No filter applies.',
      table({
        caption: 'Capacity utilisation and idle cost',
        testId: 'capacity',
        columns: [
          { key: 'pool', label: 'Pool' },
          { key: 'tier', label: 'Tier' },
          { key: 'hours', label: 'Hours', kind: 'count' },
          { key: 'served_requests', label: 'Requests served', kind: 'count' },
          { key: 'capacity_usd', label: 'Capacity cost', kind: 'usd' },
          { key: 'allocated_usd', label: 'Allocated', kind: 'usd' },
          { key: 'idle_usd', label: 'Idle', kind: 'usd' },
          { key: 'utilisation', label: 'Utilisation', kind: 'share' },
        ],
        rows: capacity,
        empty: 'No capacity pools in this range: load them with aicost capacity load.',
      }),
    ),
  );
}
