/**
 * `aicost report`: cost, requests, tokens and cost per request, grouped by
 * attribution, model, provider, day or service, over a time window; `--by release` compares
 * the releases of each service (./release-report.ts).
 */
import { divideRoundHalfUp, formatNanos } from '@aicost/core';
import { list, type ParsedArgs, str, UsageError } from '../args.js';
import { parseTsvWithNamesAndTypes, toCsv, toTable } from '../output.js';
import {
  DEFAULT_DRIFT_THRESHOLD_PERCENT,
  type DriftRow,
  driftRow,
  driftSql,
  formatAtto,
  formatBasisPoints,
  parseDriftThreshold,
} from '../report/drift.js';
import { formatUsd, parseCostText } from '../report/money.js';
import {
  DIMENSIONS,
  type Dimension,
  FILTER_DIMENSIONS,
  type FilterDimension,
  isDimension,
  reportSql,
} from '../report/query.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { schemaDatabase } from '../store/schema.js';
import { reportPriceForMargin } from './feature-pricing.js';
import { reportByRelease } from './release-report.js';

export const reportOptions = {
  ...connectionOptions,
  by: { type: 'string', multiple: true },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  // One filter per dimension (--customer acme --feature chat,search): see FILTER_DIMENSIONS.
  ...(Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, { type: 'string', multiple: true }])) as Record<
    FilterDimension,
    { type: 'string'; multiple: true }
  >),
  limit: { type: 'string' },
  format: { type: 'string', short: 'f' },
  // Reported (gateway-billed) vs computed cost: rows whose difference is above this percentage are flagged.
  'drift-threshold': { type: 'string' },
  // Pricing a feature (./feature-pricing.ts): --feature then names the feature priced.
  'price-for-margin': { type: 'string' },
} as const;

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `7d`, `12h`, `30m`, `2w` to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!m) throw new UsageError(`--since must look like 7d, 12h, 30m or 2w (got ${JSON.stringify(text)})`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** An ISO date or date-time (UTC unless it names a zone) to epoch nanoseconds. */
export function parseInstant(text: string, flagName: string): bigint {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms))
    throw new UsageError(`--${flagName} must be an ISO date or date-time (got ${JSON.stringify(text)})`);
  return BigInt(ms) * 1_000_000n;
}

export interface ReportRow {
  group: Record<string, string>;
  requests: number;
  pricedRequests: number;
  unpricedRequests: number;
  /** Nano-USD over priced requests; undefined when no request in the group has a cost. */
  costNanos: bigint | undefined;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheReadTokens: bigint;
  reasoningTokens: bigint;
}

function costPerRequest(r: { costNanos: bigint | undefined; pricedRequests: number }): bigint | undefined {
  return r.costNanos === undefined || r.pricedRequests === 0
    ? undefined
    : divideRoundHalfUp(r.costNanos, BigInt(r.pricedRequests));
}

export async function report(args: ParsedArgs): Promise<number> {
  const by = list(args, 'by');
  const byRelease = by.includes('release');
  if (byRelease && by.length > 1)
    throw new UsageError('--by release goes alone (it groups by environment and service too)');
  for (const d of byRelease ? [] : by) {
    if (!isDimension(d))
      throw new UsageError(`--by ${d}: choose from ${[...Object.keys(DIMENSIONS), 'release'].join(', ')}`);
  }
  const format = str(args, 'format') ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv');
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const to = str(args, 'to');
  const from = str(args, 'from');
  const since = str(args, 'since');
  if (from && since) throw new UsageError('use either --since or --from, not both');
  const toNs = to ? parseInstant(to, 'to') : nowNs;
  const fromNs = from ? parseInstant(from, 'from') : toNs - BigInt(parseDuration(since ?? '7d')) * 1_000_000n;
  if (str(args, 'price-for-margin') !== undefined) return reportPriceForMargin(args, { fromNs, toNs });
  const filters = Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, list(args, d)]));
  if (byRelease) {
    if (str(args, 'limit') !== undefined) throw new UsageError('--limit does not go with --by release');
    return reportByRelease(args, { fromNs, toNs, filters, format });
  }
  const limitText = str(args, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
    throw new UsageError('--limit must be a positive integer');

  const thresholdBasisPoints = parseDriftThreshold(str(args, 'drift-threshold'));
  const { sql, params } = reportSql({
    by: by as Dimension[],
    fromNs,
    toNs,
    filters,
    limit,
    database: schemaDatabase(args),
  });
  const backend = await openBackend(args);
  let rows: ReportRow[];
  let drift: DriftRow[];
  try {
    const rs = parseTsvWithNamesAndTypes(await backend.run(sql, 'TSVWithNamesAndTypes', params));
    const col = (name: string) => rs.columns.findIndex((c) => c.name === name);
    rows = rs.rows.map((r) => {
      const priced = Number(r[col('priced_requests')]);
      return {
        group: Object.fromEntries(by.map((d) => [d, r[col(d)] ?? ''])),
        requests: Number(r[col('requests')]),
        pricedRequests: priced,
        unpricedRequests: Number(r[col('unpriced_requests')]),
        costNanos: priced > 0 ? parseCostText(r[col('cost')] ?? '0') : undefined,
        inputTokens: BigInt(r[col('input_tokens')] ?? '0'),
        outputTokens: BigInt(r[col('output_tokens')] ?? '0'),
        cacheReadTokens: BigInt(r[col('cache_read_tokens')] ?? '0'),
        reasoningTokens: BigInt(r[col('reasoning_tokens')] ?? '0'),
      };
    });
    const driftQuery = driftSql({ fromNs, toNs, database: schemaDatabase(args) });
    const driftResult = parseTsvWithNamesAndTypes(
      await backend.run(driftQuery.sql, 'TSVWithNamesAndTypes', driftQuery.params),
    );
    drift = driftResult.rows.map((r) => {
      const field = (name: string) => r[driftResult.columns.findIndex((c) => c.name === name)] ?? '';
      return driftRow(
        {
          provider: field('provider'),
          model: field('model'),
          source: field('source'),
          requests: field('requests'),
          reported: field('reported'),
          computed: field('computed'),
        },
        thresholdBasisPoints,
      );
    });
  } finally {
    await backend.close();
  }
  // A grand total with no grouping and no data comes back as one all-zero row: show none.
  rows = rows.filter((r) => r.requests > 0);

  const window = {
    from: new Date(Number(fromNs / 1_000_000n)).toISOString(),
    to: new Date(Number(toNs / 1_000_000n)).toISOString(),
  };
  const totals = rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      pricedRequests: t.pricedRequests + r.pricedRequests,
      unpricedRequests: t.unpricedRequests + r.unpricedRequests,
      costNanos: r.costNanos === undefined ? t.costNanos : (t.costNanos ?? 0n) + r.costNanos,
      inputTokens: t.inputTokens + r.inputTokens,
      outputTokens: t.outputTokens + r.outputTokens,
    }),
    {
      requests: 0,
      pricedRequests: 0,
      unpricedRequests: 0,
      costNanos: undefined as bigint | undefined,
      inputTokens: 0n,
      outputTokens: 0n,
    },
  );

  if (format === 'json') {
    const money = (n: bigint | undefined) => (n === undefined ? null : formatNanos(n));
    process.stdout.write(
      `${JSON.stringify(
        {
          window,
          by,
          currency: 'USD',
          rows: rows.map((r) => ({
            ...r.group,
            requests: r.requests,
            priced_requests: r.pricedRequests,
            unpriced_requests: r.unpricedRequests,
            cost: money(r.costNanos),
            cost_per_request: money(costPerRequest(r)),
            input_tokens: r.inputTokens.toString(),
            output_tokens: r.outputTokens.toString(),
            cache_read_tokens: r.cacheReadTokens.toString(),
            reasoning_tokens: r.reasoningTokens.toString(),
          })),
          totals: {
            requests: totals.requests,
            priced_requests: totals.pricedRequests,
            unpriced_requests: totals.unpricedRequests,
            cost: money(totals.costNanos),
            cost_per_request: money(costPerRequest(totals)),
            input_tokens: totals.inputTokens.toString(),
            output_tokens: totals.outputTokens.toString(),
          },
          reported_cost_drift: {
            threshold_percent: formatBasisPoints(thresholdBasisPoints).replace(/%$/, ''),
            rows: drift.map((d) => ({
              provider: d.provider,
              model: d.model,
              source: d.source,
              requests: d.requests,
              reported: formatAtto(d.reportedAtto),
              computed: formatAtto(d.computedAtto),
              drift: formatAtto(d.driftAtto),
              drift_percent:
                d.driftBasisPoints === undefined
                  ? null
                  : formatBasisPoints(d.driftBasisPoints).replace(/%$/, ''),
              flagged: d.flagged,
            })),
          },
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }

  const columns = [
    ...by,
    'requests',
    'unpriced',
    'cost_usd',
    'cost_per_request_usd',
    'input_tokens',
    'output_tokens',
  ];
  if (format === 'csv') {
    const money = (n: bigint | undefined) => (n === undefined ? '' : formatNanos(n));
    process.stdout.write(
      toCsv(
        columns,
        rows.map((r) => [
          ...by.map((d) => r.group[d] ?? ''),
          String(r.requests),
          String(r.unpricedRequests),
          money(r.costNanos),
          money(costPerRequest(r)),
          r.inputTokens.toString(),
          r.outputTokens.toString(),
        ]),
      ),
    );
    return 0;
  }

  const usd = (n: bigint | undefined) => (n === undefined ? 'unpriced' : formatUsd(n));
  const label = (v: string) => (v === '' ? '(none)' : v);
  const headers = [...by, 'requests', 'unpriced', 'cost', 'cost/request', 'input tok', 'output tok'];
  const align = [...by.map(() => 'left' as const), ...Array(6).fill('right' as const)];
  process.stdout.write(`aicost report ${window.from} .. ${window.to} (UTC)\n\n`);
  if (rows.length === 0) {
    process.stdout.write('no GenAI requests in this window\n');
    return 0;
  }
  process.stdout.write(
    toTable(
      headers,
      rows.map((r) => [
        ...by.map((d) => label(r.group[d] ?? '')),
        String(r.requests),
        String(r.unpricedRequests),
        usd(r.costNanos),
        usd(costPerRequest(r)),
        r.inputTokens.toString(),
        r.outputTokens.toString(),
      ]),
      align,
      by.length
        ? [
            'total',
            ...by.slice(1).map(() => ''),
            String(totals.requests),
            String(totals.unpricedRequests),
            usd(totals.costNanos),
            usd(costPerRequest(totals)),
            totals.inputTokens.toString(),
            totals.outputTokens.toString(),
          ]
        : undefined,
    ),
  );
  if (totals.unpricedRequests > 0) {
    process.stdout.write(
      `\n${totals.unpricedRequests} request(s) have no price (unknown model or missing usage); their cost is not included above.\n`,
    );
  }
  writeDriftTable(drift, thresholdBasisPoints);
  return 0;
}

/** What gateways billed beside what aicost computes, flagged above the threshold (table format). */
function writeDriftTable(drift: DriftRow[], thresholdBasisPoints: bigint): void {
  if (drift.length === 0) return;
  const threshold = formatBasisPoints(thresholdBasisPoints);
  process.stdout.write(
    `\nReported vs computed cost (calls whose provider or gateway stated its bill; flagged above ${threshold}):\n\n`,
  );
  process.stdout.write(
    toTable(
      ['provider', 'model', 'source', 'requests', 'reported', 'computed', 'drift', 'drift %', ''],
      drift.map((d) => [
        d.provider,
        d.model,
        d.source,
        String(d.requests),
        `$${formatAtto(d.reportedAtto)}`,
        `$${formatAtto(d.computedAtto)}`,
        `${d.driftAtto < 0n ? '-' : ''}$${formatAtto(d.driftAtto < 0n ? -d.driftAtto : d.driftAtto)}`,
        formatBasisPoints(d.driftBasisPoints),
        d.flagged ? 'DRIFT' : '',
      ]),
      ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  );
  const flagged = drift.filter((d) => d.flagged).length;
  if (flagged > 0) {
    process.stdout.write(
      `\n${flagged} row(s) differ from aicost's computed cost by more than ${threshold} (--drift-threshold, default ${DEFAULT_DRIFT_THRESHOLD_PERCENT}%): check the price overrides, the service tier, or the gateway's markup.\n`,
    );
  }
}
