/**
 * `aicost report --by release`: per environment, service and release (the request table's
 * service_version) of the model calls in the window, the cost per request and the cost per
 * outcome, each next to the release before it with the change, in USD and in percent.
 *
 * The figures and the rule are the schema's, not ours: the parameterised view
 * `aicost_release_costs_between` (packages/schema/sql/071_releases.sql), which the Economics
 * dashboard and the web UI read too. An outcome counts for the release of the calls that
 * produced it (the outcomes recorded, by any service, in the traces where the release made
 * calls); the release before is the one first seen just before it over every stored request.
 * Here: the filters bound as parameters, and the Decimal texts read exactly into nano-USD.
 */
import { DEFAULT_DATABASE } from '@aicost/schema';
import { parseCostText } from './money.js';
import type { FilterDimension } from './query.js';
import { FILTER_DIMENSIONS } from './query.js';

export interface ReleaseReportQuery {
  fromNs: bigint;
  toNs: bigint;
  filters: Partial<Record<FilterDimension, string[]>>;
  database?: string;
}

/** One row per (environment, service, release), first seen first. */
export function releaseReportSql(q: ReleaseReportQuery): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = { from_ns: q.fromNs.toString(), to_ns: q.toNs.toString() };
  const entries: string[] = [];
  for (const dimension of FILTER_DIMENSIONS) {
    const values = q.filters[dimension] ?? [];
    if (values.length === 0) continue;
    const names = values.map((v, i) => {
      params[`${dimension}_${i}`] = v;
      return `{${dimension}_${i}:String}`;
    });
    entries.push(`'${dimension}', [${names.join(', ')}]`);
  }
  const db = q.database ?? DEFAULT_DATABASE;
  const sql = `SELECT
    environment, service, release, deployment, toString(first_seen) AS first_seen,
    requests, priced_requests, toString(cost_usd) AS cost, toString(cost_per_request_usd) AS cost_per_request,
    previous_release, toString(previous_cost_per_request_usd) AS previous_cost_per_request,
    toString(change_usd) AS cost_per_request_change, toDecimalString(change_pct, 2) AS cost_per_request_change_pct,
    outcomes, toString(outcome_cost_usd) AS outcome_cost, toString(cost_per_outcome_usd) AS cost_per_outcome,
    toString(previous_cost_per_outcome_usd) AS previous_cost_per_outcome,
    toString(outcome_change_usd) AS cost_per_outcome_change, toDecimalString(outcome_change_pct, 2) AS cost_per_outcome_change_pct
FROM ${db}.aicost_release_costs_between(
    from = fromUnixTimestamp64Nano({from_ns:Int64}, 'UTC'),
    to = fromUnixTimestamp64Nano({to_ns:Int64}, 'UTC'),
    filters = map(${entries.join(', ')}))
ORDER BY environment, service, first_seen, release`;
  return { sql, params };
}

/** A figure next to the same figure of the release before. */
export interface Change {
  /** Nano-USD; undefined when unknown (nothing priced, no outcome). */
  value: bigint | undefined;
  previous: bigint | undefined;
  /** value - previous, exact; undefined without both. */
  changeNanos: bigint | undefined;
  /** change / previous in percent to 2 decimals (`-33.30`); undefined without a non-zero previous. */
  changePercent: string | undefined;
}

/** One row of {@link releaseReportSql}, read exactly. */
export interface ReleaseRow {
  environment: string;
  service: string;
  release: string;
  deployment: string;
  firstSeen: string;
  requests: number;
  pricedRequests: number;
  /** The priced requests' cost; undefined when none is priced. */
  costNanos: bigint | undefined;
  previousRelease: string;
  costPerRequest: Change;
  outcomes: number;
  /** The priced cost of the release's calls in the traces with an outcome; undefined when unknown. */
  outcomeCostNanos: bigint | undefined;
  costPerOutcome: Change;
}

/** A row from its cells by column name (null: SQL NULL). */
export function releaseRow(cell: (name: string) => string | null): ReleaseRow {
  const text = (name: string) => cell(name) ?? '';
  const money = (name: string) => {
    const value = cell(name);
    return value === null ? undefined : parseCostText(value);
  };
  const change = (figure: string): Change => ({
    value: money(figure),
    previous: money(`previous_${figure}`),
    changeNanos: money(`${figure}_change`),
    changePercent: cell(`${figure}_change_pct`) ?? undefined,
  });
  return {
    environment: text('environment'),
    service: text('service'),
    release: text('release'),
    deployment: text('deployment'),
    firstSeen: text('first_seen'),
    requests: Number(text('requests')),
    pricedRequests: Number(text('priced_requests')),
    costNanos: money('cost'),
    previousRelease: text('previous_release'),
    costPerRequest: change('cost_per_request'),
    outcomes: Number(text('outcomes')),
    outcomeCostNanos: money('outcome_cost'),
    costPerOutcome: change('cost_per_outcome'),
  };
}
