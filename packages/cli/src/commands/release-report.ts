/**
 * `aicost report --by release`: cost per request and per outcome across the releases of each
 * service, with the change from the release before (USD and percent). Kept apart from
 * report.ts; report() calls it. The figures: ../report/releases.ts.
 */
import { formatNanos } from '@aicost/core';
import type { ParsedArgs } from '../args.js';
import { query } from '../economics/run.js';
import { toCsv, toTable } from '../output.js';
import { formatUsd } from '../report/money.js';
import type { FilterDimension } from '../report/query.js';
import { type Change, type ReleaseRow, releaseReportSql, releaseRow } from '../report/releases.js';
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
    rows = rs.rows.map((r) => releaseRow((name) => r[col(name)] ?? null));
  } finally {
    await backend.close();
  }
  const window = {
    from: new Date(Number(options.fromNs / 1_000_000n)).toISOString(),
    to: new Date(Number(options.toNs / 1_000_000n)).toISOString(),
  };
  const money = (n: bigint | undefined) => (n === undefined ? null : formatNanos(n));
  const pct = (c: Change) => c.changePercent ?? null;

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
            cost: money(r.costNanos),
            cost_per_request: money(r.costPerRequest.value),
            previous_release: r.previousRelease,
            cost_per_request_change: money(r.costPerRequest.changeNanos),
            cost_per_request_change_pct: pct(r.costPerRequest),
            outcomes: r.outcomes,
            outcome_cost: money(r.outcomeCostNanos),
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
          money(r.costNanos),
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
          c.changePercent === undefined
            ? ''
            : ` (${/^[1-9]|^0\.(?!00)/.test(c.changePercent) ? '+' : ''}${c.changePercent}%)`
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
    '\nchange: from the release first seen before (over all stored requests), in the same environment and service,\n' +
      'both in this window. Cost per outcome: the outcomes recorded (any service) in the traces where the release\n' +
      'made calls, over the cost of its calls there. The same figures: view aicost_release_costs_between.\n',
  );
  return 0;
}
