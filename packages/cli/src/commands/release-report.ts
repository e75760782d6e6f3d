/**
 * `aicost report --by release`: cost per request and per outcome across the releases of each
 * service, with the change from the release before (USD and percent). Kept apart from
 * report.ts; report() calls it. The figures: ../report/releases.ts.
 */
import { formatNanos } from '@aicost/core';
import type { ParsedArgs } from '../args.js';
import { query } from '../economics/run.js';
import { toCsv, toTable } from '../output.js';
import { formatUsd, parseCostText } from '../report/money.js';
import type { FilterDimension } from '../report/query.js';
import {
  type Change,
  formatPercent,
  type ReleaseRow,
  releaseReportSql,
  releaseRows,
} from '../report/releases.js';
import { openBackend } from '../store/backend.js';
import { schemaDatabase } from '../store/schema.js';

export interface ReleaseReportOptions {
  fromNs: bigint;
  toNs: bigint;
  filters: Partial<Record<FilterDimension, string[]>>;
  format: string;
}

const COLUMNS = [
  'environment',
  'service',
  'release',
  'deployment',
  'first_seen',
  'requests',
  'unpriced',
  'cost_usd',
  'cost_per_request_usd',
  'previous_release',
  'cost_per_request_change_usd',
  'cost_per_request_change_pct',
  'outcomes',
  'cost_per_outcome_usd',
  'cost_per_outcome_change_usd',
  'cost_per_outcome_change_pct',
] as const;

export async function reportByRelease(args: ParsedArgs, options: ReleaseReportOptions): Promise<number> {
  const { sql, params } = releaseReportSql({ ...options, database: schemaDatabase(args) });
  const backend = await openBackend(args);
  let rows: ReleaseRow[];
  try {
    const rs = await query(backend, sql, params);
    const col = (name: string) => rs.columns.findIndex((c) => c.name === name);
    const cell = (r: (string | null)[], name: string) => r[col(name)] ?? '';
    rows = releaseRows(
      rs.rows.map((r) => ({
        environment: cell(r, 'environment'),
        service: cell(r, 'service'),
        release: cell(r, 'release'),
        deployment: cell(r, 'deployment'),
        firstSeen: cell(r, 'first_seen'),
        requests: Number(cell(r, 'requests')),
        pricedRequests: Number(cell(r, 'priced_requests')),
        costNanos: parseCostText(cell(r, 'cost') || '0'),
        outcomes: Number(cell(r, 'outcomes')),
        outcomeRequests: Number(cell(r, 'outcome_requests')),
        outcomePricedRequests: Number(cell(r, 'outcome_priced_requests')),
        outcomeCostNanos: parseCostText(cell(r, 'outcome_cost') || '0'),
      })),
    );
  } finally {
    await backend.close();
  }
  const window = {
    from: new Date(Number(options.fromNs / 1_000_000n)).toISOString(),
    to: new Date(Number(options.toNs / 1_000_000n)).toISOString(),
  };
  const money = (n: bigint | undefined) => (n === undefined ? null : formatNanos(n));
  const pct = (c: Change) => (c.changeBasisPoints === undefined ? null : formatPercent(c.changeBasisPoints));
  const cost = (r: ReleaseRow) => (r.pricedRequests === 0 ? undefined : r.costNanos);

  if (options.format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        {
          window,
          by: ['release'],
          currency: 'USD',
          rows: rows.map((r) => ({
            environment: r.environment,
            service: r.service,
            release: r.release,
            deployment: r.deployment,
            first_seen: r.firstSeen,
            requests: r.requests,
            priced_requests: r.pricedRequests,
            unpriced_requests: r.requests - r.pricedRequests,
            cost: money(cost(r)),
            cost_per_request: money(r.costPerRequest.value),
            previous_release: r.previousRelease,
            cost_per_request_change: money(r.costPerRequest.changeNanos),
            cost_per_request_change_pct: pct(r.costPerRequest),
            outcomes: r.outcomes,
            outcome_cost: r.outcomePricedRequests === 0 ? null : formatNanos(r.outcomeCostNanos),
            cost_per_outcome: money(r.costPerOutcome.value),
            cost_per_outcome_change: money(r.costPerOutcome.changeNanos),
            cost_per_outcome_change_pct: pct(r.costPerOutcome),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (options.format === 'csv') {
    process.stdout.write(
      toCsv(
        [...COLUMNS],
        rows.map((r) => [
          r.environment,
          r.service,
          r.release,
          r.deployment,
          r.firstSeen,
          String(r.requests),
          String(r.requests - r.pricedRequests),
          money(cost(r)),
          money(r.costPerRequest.value),
          r.previousRelease,
          money(r.costPerRequest.changeNanos),
          pct(r.costPerRequest),
          String(r.outcomes),
          money(r.costPerOutcome.value),
          money(r.costPerOutcome.changeNanos),
          pct(r.costPerOutcome),
        ]),
      ),
    );
    return 0;
  }

  process.stdout.write(`aicost report --by release ${window.from} .. ${window.to} (UTC)\n\n`);
  if (rows.length === 0) {
    process.stdout.write('no GenAI requests in this window\n');
    return 0;
  }
  const usd = (n: bigint | undefined, unknown = 'unpriced') => (n === undefined ? unknown : formatUsd(n, 9));
  const signed = (c: Change) =>
    c.changeNanos === undefined
      ? ''
      : `${c.changeNanos > 0n ? '+' : ''}${formatUsd(c.changeNanos, 9)}${
          c.changeBasisPoints === undefined
            ? ''
            : ` (${c.changeBasisPoints > 0n ? '+' : ''}${formatPercent(c.changeBasisPoints)}%)`
        }`;
  const label = (v: string) => (v === '' ? '(none)' : v);
  process.stdout.write(
    toTable(
      [
        'environment',
        'service',
        'release',
        'requests',
        'unpriced',
        'cost/request',
        'change',
        'outcomes',
        'cost/outcome',
        'change',
      ],
      rows.map((r) => [
        label(r.environment),
        label(r.service),
        label(r.release),
        String(r.requests),
        String(r.requests - r.pricedRequests),
        usd(r.costPerRequest.value),
        signed(r.costPerRequest),
        String(r.outcomes),
        usd(r.costPerOutcome.value, r.outcomes === 0 ? '-' : 'unpriced'),
        signed(r.costPerOutcome),
      ]),
      ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  process.stdout.write(
    '\nchange: from the release first seen before, in the same environment and service. Cost per outcome: the\n' +
      'outcomes recorded (any service) in the traces where the release made calls, over the cost of those calls.\n',
  );
  return 0;
}
