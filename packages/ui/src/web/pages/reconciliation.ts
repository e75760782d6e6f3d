/**
 * The provider's bill next to the traces (ghost spend): the overview dashboard's bill panels,
 * each the dashboard's own query over the reconciliation views (the rows `aicost reconcile`
 * prints). The totals and the per provider and day table are the engine's sums of
 * aicost_reconciliation_totals, the view `aicost reconcile` reads its totals from: a row
 * without a USD bill counts as traced but not billed, never as ghost spend.
 */
import { getJson, type PanelsAnswer } from '../api.ts';
import { h, section } from '../dom.ts';
import { formatUsd, UNKNOWN } from '../money.ts';
import { apiQuery } from '../state.ts';
import { table } from '../table.ts';
import { stat } from './common.ts';

export async function reconciliationPage(params: URLSearchParams): Promise<HTMLElement> {
  const { panels } = await getJson<PanelsAnswer>(`/api/reconciliation?${apiQuery(params)}`);
  const rows = panels.bill_vs_traces ?? [];
  const totals = panels.bill_totals?.[0] ?? {};
  // Nothing billed in USD in the range: the bill's side is unknown, not $0.
  const billed = Number(totals.billed_days ?? 0) > 0;
  const money = (column: string) => (billed ? formatUsd(totals[column]) : UNKNOWN);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Reconciliation'),
    h(
      'p',
      { class: 'muted' },
      'The provider’s bill (imported with aicost billing load) next to what the traces cost, per UTC day of the range. Ghost spend = billed − traced: spend the bill shows and no span explains. The same rows as aicost reconcile; the feature and customer filters do not apply (a bill has neither).',
    ),
    h(
      'div',
      { class: 'stats' },
      stat('Ghost spend', money('ghost_usd'), 'ghost-total', 'billed − traced, where billed in USD'),
      stat('Billed', money('billed_usd'), 'billed-total', 'USD lines of the bill'),
      stat('Traced', money('traced_usd'), 'traced-total', 'priced spans on billed rows'),
      stat(
        'Unexplained',
        money('unexplained_usd'),
        'unexplained-total',
        'ghost spend no known cause explains',
      ),
      stat(
        'Traced, not billed',
        formatUsd(totals.traced_not_billed_usd ?? '0'),
        'traced-not-billed',
        'days or models the bill does not list',
      ),
    ),
    section(
      'Bill vs traces per provider and day',
      'The rows below added up per provider and day, largest ghost spend first: ghost spend = billed − traced over the models the bill lists in USD; traced spend of models the bill does not list is apart.',
      table({
        caption: 'Bill vs traces per provider and day',
        testId: 'provider-days',
        columns: [
          { key: 'day', label: 'Day', kind: 'day' },
          { key: 'provider', label: 'Provider' },
          { key: 'billed_usd', label: 'Billed', kind: 'usd' },
          { key: 'traced_usd', label: 'Traced', kind: 'usd' },
          { key: 'ghost_usd', label: 'Ghost spend', kind: 'usd' },
          { key: 'unexplained_usd', label: 'Unexplained', kind: 'usd' },
          { key: 'traced_not_billed_usd', label: 'Traced, not billed', kind: 'usd' },
        ],
        rows: panels.bill_by_provider_day ?? [],
        empty: 'No bill and no traced spend in this range: import a bill with aicost billing load.',
      }),
    ),
    section(
      'By provider, model and day',
      'Each row as aicost reconcile prints it: the part of the ghost spend each known cause explains (unpriced spans at the bill’s price per token, a discounted service tier, batch jobs, price changes) and what is left.',
      table({
        caption: 'Bill vs traces per provider, model and day',
        testId: 'bill-vs-traces',
        columns: [
          { key: 'day', label: 'Day', kind: 'day' },
          { key: 'provider', label: 'Provider' },
          { key: 'model', label: 'Model' },
          { key: 'billed_usd', label: 'Billed', kind: 'usd' },
          { key: 'traced_usd', label: 'Traced', kind: 'usd' },
          { key: 'ghost_usd', label: 'Ghost spend', kind: 'usd' },
          { key: 'explained_unpriced_usd', label: 'Unpriced spans', kind: 'usd' },
          { key: 'explained_tier_usd', label: 'Service tier', kind: 'usd' },
          { key: 'explained_batch_usd', label: 'Batch jobs', kind: 'usd' },
          { key: 'explained_price_change_usd', label: 'Price changes', kind: 'usd' },
          { key: 'unexplained_usd', label: 'Unexplained', kind: 'usd' },
          { key: 'traced_requests', label: 'Traced requests', kind: 'count' },
          { key: 'unpriced_requests', label: 'Unpriced', kind: 'count' },
        ],
        rows,
        empty: 'No bill and no traced spend in this range.',
      }),
    ),
    section(
      'Billed projects without spans',
      'Projects mapped to a service (aicost billing load --mapping) that have spend on the bill and no span of that service to that provider: uninstrumented services.',
      table({
        caption: 'Billed projects without spans',
        testId: 'untraced-projects',
        columns: [
          { key: 'provider', label: 'Provider' },
          { key: 'project', label: 'Project' },
          { key: 'service', label: 'Service' },
          { key: 'environment', label: 'Environment' },
          { key: 'billed_usd', label: 'Billed', kind: 'usd' },
        ],
        rows: panels.untraced_projects ?? [],
        empty: 'Every mapped project with spend has spans.',
      }),
    ),
  );
}
