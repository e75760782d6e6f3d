/**
 * `aicost report --by release`: per environment, service and release (the request table's
 * service_version) of the model calls in the window, the cost per request and the cost per
 * outcome, each next to the release before it (the one first seen just before, in the same
 * environment and service) with the change, in USD and in percent.
 *
 * Cost per outcome is by the release of the calls: the outcomes recorded (by any service,
 * `recordOutcome`) in the traces where this release made calls, and the cost of this
 * release's calls in those traces. An outcome recorded by another service is so counted for
 * the release of the service whose calls produced it; a trace whose calls span two releases
 * counts its outcomes for each. Money stays Decimal in SQL and bigint nano-USD here.
 */
import { divideRoundHalfUp } from '@aicost/core';
import { DEFAULT_DATABASE } from '@aicost/schema';
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
  const where = [
    'timestamp >= fromUnixTimestamp64Nano({from_ns:Int64})',
    'timestamp < fromUnixTimestamp64Nano({to_ns:Int64})',
  ];
  for (const dimension of FILTER_DIMENSIONS) {
    const values = q.filters[dimension] ?? [];
    if (values.length === 0) continue;
    const names = values.map((v, i) => {
      params[`${dimension}_${i}`] = v;
      return `{${dimension}_${i}:String}`;
    });
    where.push(`${dimension} IN (${names.join(', ')})`);
  }
  const db = q.database ?? DEFAULT_DATABASE;
  const sql = `WITH calls AS
(
    SELECT environment, service, service_version AS release, deployment, timestamp, trace_id, cost_total
    FROM ${db}.aicost_requests
    WHERE ${where.join('\n      AND ')}
),
trace_outcomes AS
(
    SELECT trace_id, count() AS outcomes
    FROM ${db}.aicost_outcomes
    WHERE trace_id IN (SELECT trace_id FROM calls)
    GROUP BY trace_id
)
SELECT
    environment, service, release,
    argMax(c.deployment, c.last_seen) AS deployment,
    toString(min(c.first_seen)) AS first_seen,
    sum(c.requests) AS requests,
    sum(c.priced_requests) AS priced_requests,
    toString(sum(c.cost)) AS cost,
    sum(ifNull(o.outcomes, 0)) AS outcomes,
    sumIf(c.requests, ifNull(o.outcomes, 0) > 0) AS outcome_requests,
    sumIf(c.priced_requests, ifNull(o.outcomes, 0) > 0) AS outcome_priced_requests,
    toString(sumIf(c.cost, ifNull(o.outcomes, 0) > 0)) AS outcome_cost
FROM
(
    SELECT environment, service, release, trace_id,
           argMax(deployment, timestamp) AS deployment,
           min(timestamp) AS first_seen,
           max(timestamp) AS last_seen,
           count() AS requests,
           countIf(cost_total IS NOT NULL) AS priced_requests,
           sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS cost
    FROM calls
    GROUP BY environment, service, release, trace_id
) AS c
LEFT JOIN trace_outcomes AS o ON o.trace_id = c.trace_id
GROUP BY environment, service, release
ORDER BY environment, service, min(c.first_seen), release`;
  return { sql, params };
}

/** What one row of {@link releaseReportSql} holds, read exactly. */
export interface ReleaseTotals {
  environment: string;
  service: string;
  release: string;
  deployment: string;
  firstSeen: string;
  requests: number;
  pricedRequests: number;
  costNanos: bigint;
  outcomes: number;
  outcomeRequests: number;
  outcomePricedRequests: number;
  outcomeCostNanos: bigint;
}

/** A figure next to the same figure of the release before. */
export interface Change {
  /** Nano-USD; undefined when unknown (nothing priced). */
  value: bigint | undefined;
  previous: bigint | undefined;
  /** value - previous, exact; undefined without both. */
  changeNanos: bigint | undefined;
  /** change / previous in hundredths of a percent, half away from zero; undefined without a non-zero previous. */
  changeBasisPoints: bigint | undefined;
}

export interface ReleaseRow extends ReleaseTotals {
  previousRelease: string;
  costPerRequest: Change;
  costPerOutcome: Change;
}

function change(value: bigint | undefined, previous: bigint | undefined): Change {
  const changeNanos = value !== undefined && previous !== undefined ? value - previous : undefined;
  return {
    value,
    previous,
    changeNanos,
    changeBasisPoints:
      changeNanos !== undefined && previous !== undefined && previous !== 0n
        ? signedDivide(changeNanos * 10_000n, previous)
        : undefined,
  };
}

/** a / b rounded half away from zero, for any signs (b != 0). */
function signedDivide(a: bigint, b: bigint): bigint {
  const q = divideRoundHalfUp(a < 0n ? -a : a, b < 0n ? -b : b);
  return a < 0n !== b < 0n ? -q : q;
}

/** Cost per request: the priced requests' cost averaged, half up to the nano (as the views). */
function costPerRequest(t: ReleaseTotals): bigint | undefined {
  return t.pricedRequests === 0 ? undefined : divideRoundHalfUp(t.costNanos, BigInt(t.pricedRequests));
}

/**
 * Cost per outcome: the priced cost of this release's calls in the traces with an outcome,
 * divided by their outcomes, half up to the nano; unknown without outcomes, or when those
 * traces' calls of this release are all unpriced.
 */
function costPerOutcome(t: ReleaseTotals): bigint | undefined {
  if (t.outcomes === 0 || t.outcomePricedRequests === 0) return undefined;
  return divideRoundHalfUp(t.outcomeCostNanos, BigInt(t.outcomes));
}

/** The rows in the SQL's order (environment, service, first seen), each with the change from the release before. */
export function releaseRows(totals: readonly ReleaseTotals[]): ReleaseRow[] {
  return totals.map((t, i) => {
    const before = i > 0 ? totals[i - 1] : undefined;
    const previous =
      before && before.environment === t.environment && before.service === t.service ? before : undefined;
    return {
      ...t,
      previousRelease: previous?.release ?? '',
      costPerRequest: change(costPerRequest(t), previous && costPerRequest(previous)),
      costPerOutcome: change(costPerOutcome(t), previous && costPerOutcome(previous)),
    };
  });
}

/** Hundredths of a percent as `12.34` (`-0.05`, `0.00`). */
export function formatPercent(basisPoints: bigint): string {
  const negative = basisPoints < 0n;
  const digits = (negative ? -basisPoints : basisPoints).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
