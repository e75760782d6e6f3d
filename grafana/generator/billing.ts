/**
 * The Overview dashboard's last panels: the provider's bill next to the traces, from the reconciliation
 * views of packages/schema/sql/061_reconciliation.sql (the rows `aicost billing load` imports).
 * Its table is `aicost reconcile`'s query (packages/cli/src/reconcile/query.ts) with the
 * dashboard's range for the days; test/billing/reconciliation.test.ts runs both and compares them.
 * The totals (per provider and day, and over the range) are sums of aicost_reconciliation_totals,
 * which `aicost reconcile` and the UI's reconciliation page read too.
 * Billing rows have no feature or customer, and their provider is the billing provider
 * (google, aws, azure...), not a span's gen_ai.provider.name: the dashboard's variables do not
 * apply to these panels (their descriptions say so), the time range does (whole UTC days).
 */
import { type PanelSpec, table, units } from './panels.ts';
import { DATABASE } from './sql.ts';

export const RECONCILIATION = `${DATABASE}.aicost_reconciliation`;
export const RECONCILIATION_BY_PROJECT = `${DATABASE}.aicost_reconciliation_by_project`;
/** The rows added up per day and provider, with the totals rule (a row without a USD bill is traced, not billed). */
export const RECONCILIATION_TOTALS = `${DATABASE}.aicost_reconciliation_totals`;

/** The UTC days the range touches (billing rows are per day); `table` qualifies the column. */
export function billDays(table = ''): string {
  return `${table}day >= toDate($__fromTime, 'UTC') AND ${table}day <= toDate($__toTime, 'UTC')`;
}

const MONEY_COLUMNS = [
  'ghost_usd',
  'billed_usd',
  'traced_usd',
  'explained_unpriced_usd',
  'explained_tier_usd',
  'explained_batch_usd',
  'explained_price_change_usd',
  'unexplained_usd',
];

const TOTAL_COLUMNS = ['ghost_usd', 'billed_usd', 'traced_usd', 'unexplained_usd', 'traced_not_billed_usd'];

const money = (columns: string[]) => units(Object.fromEntries(columns.map((c) => [c, 'currencyUSD'])));

export const bill: PanelSpec[] = [
  // The day leaves as text: the plugin's driver would read a Date as a midnight DateTime.
  table(
    'Bill vs traces per provider, model and day',
    'Ghost spend = billed minus traced, per UTC day of the range: spend the bill shows and no span explains, largest first (as `aicost reconcile` prints it), with the part each known cause explains (unpriced spans, service tier, batch jobs, price changes) and what is left. Rows without a USD bill (traced only, or billed in another currency without a rate) come last with billed empty. Needs bills imported with `aicost billing load`; the dashboard variables do not apply here.',
    `SELECT
  toString(r.day) AS day, r.provider AS provider, if(r.model = '', '(no model)', r.model) AS model,
  ${[...MONEY_COLUMNS, 'billed_tokens', 'traced_tokens', 'traced_requests', 'unpriced_requests'].map((c) => `r.${c} AS ${c}`).join(', ')}
FROM ${RECONCILIATION} AS r
WHERE ${billDays('r.')}
ORDER BY r.ghost_usd DESC NULLS LAST, r.day, r.provider, r.model`,
    { width: 24, overrides: money(MONEY_COLUMNS) },
  ),
  table(
    'Bill vs traces, totals over the range',
    'The rows above added up over the UTC days of the range: ghost spend = billed minus traced over the rows billed in USD; traced spend of rows the bill does not list (or bills in another currency without a rate) is apart, never ghost spend. billed_days counts the provider-days with a USD bill. The dashboard variables do not apply here.',
    `SELECT
  ${TOTAL_COLUMNS.map((c) => `sum(t.${c}) AS ${c}`).join(', ')},
  countIf(t.billed_usd IS NOT NULL) AS billed_days
FROM ${RECONCILIATION_TOTALS} AS t
WHERE ${billDays('t.')}`,
    { width: 24, height: 4, overrides: money(TOTAL_COLUMNS) },
  ),
  table(
    'Bill vs traces per provider and day',
    'The rows above added up per UTC day and billing provider (all models), largest ghost spend first: billed, traced, ghost and unexplained over the models the bill lists in USD (empty when it lists none); traced spend of models it does not list is apart. The dashboard variables do not apply here.',
    `SELECT
  toString(t.day) AS day, t.provider AS provider,
  ${TOTAL_COLUMNS.map((c) => `t.${c} AS ${c}`).join(', ')}
FROM ${RECONCILIATION_TOTALS} AS t
WHERE ${billDays('t.')}
ORDER BY t.ghost_usd DESC NULLS LAST, t.day, t.provider`,
    { width: 24, overrides: money(TOTAL_COLUMNS) },
  ),
  table(
    'Billed projects without spans',
    'Projects (accounts, workspaces, subscriptions) mapped to a service that has spend on the bill and no span of that service to that provider: uninstrumented services. The dashboard variables do not apply here.',
    `SELECT provider, project, service, environment,
  sum(billed_usd) AS billed_usd, sum(traced_requests) AS traced_requests
FROM ${RECONCILIATION_BY_PROJECT}
WHERE ${billDays()} AND service != ''
GROUP BY provider, project, service, environment
HAVING billed_usd > 0 AND traced_requests = 0
ORDER BY billed_usd DESC`,
    { width: 24, height: 6, overrides: money(['billed_usd']) },
  ),
];
