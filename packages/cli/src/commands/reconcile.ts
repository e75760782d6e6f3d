/**
 * `aicost reconcile`: the provider's bill next to the traces, per provider,
 * model and UTC day, with the ghost spend (billed minus traced) first, the
 * part each known cause explains, and suggestions where a pattern fits.
 */
import { formatNanos } from '@aicost/core';
import { list, type ParsedArgs, str, UsageError } from '../args.js';
import { toCsv, toTable } from '../output.js';
import { type ProjectRow, queryReconciliation, type ReconciliationRow } from '../reconcile/query.js';
import { type Suggestion, suggest } from '../reconcile/suggest.js';
import { formatUsd } from '../report/money.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { schemaDatabase } from '../store/schema.js';
import { parseDuration, parseInstant } from './report.js';

export const reconcileOptions = {
  ...connectionOptions,
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  provider: { type: 'string', multiple: true },
  format: { type: 'string', short: 'f' },
} as const;

function windowDays(args: ParsedArgs): { fromDay: string; toDay: string } {
  const from = str(args, 'from');
  const to = str(args, 'to');
  const since = str(args, 'since');
  if (from && since) throw new UsageError('use either --since or --from, not both');
  const nowMs = Date.now();
  const toMs = to ? Number(parseInstant(to, 'to') / 1_000_000n) : nowMs;
  const fromMs = from
    ? Number(parseInstant(from, 'from') / 1_000_000n)
    : toMs - parseDuration(since ?? '30d');
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (fromMs > toMs) throw new UsageError('--from is after --to');
  return { fromDay: day(fromMs), toDay: day(toMs) };
}

const money = (n: bigint | undefined) => (n === undefined ? null : formatNanos(n));

function jsonRow(r: ReconciliationRow): Record<string, unknown> {
  return {
    day: r.day,
    provider: r.provider,
    model: r.model,
    ghost_usd: money(r.ghostUsd),
    billed_usd: money(r.billedUsd),
    traced_usd: formatNanos(r.tracedUsd),
    explained_unpriced_usd: money(r.explainedUnpricedUsd),
    explained_tier_usd: money(r.explainedTierUsd),
    explained_batch_usd: money(r.explainedBatchUsd),
    explained_price_change_usd: money(r.explainedPriceChangeUsd),
    unexplained_usd: money(r.unexplainedUsd),
    billed_other_currencies: Object.fromEntries(
      Object.entries(r.billedOtherCurrencies).map(([c, v]) => [c, formatNanos(v)]),
    ),
    credits_usd: formatNanos(r.creditsUsd),
    flex_usd: formatNanos(r.flexUsd),
    traced_flex_usd: formatNanos(r.tracedFlexUsd),
    traced_untiered_usd: formatNanos(r.tracedUntieredUsd),
    batch_usd: formatNanos(r.batchUsd),
    priority_usd: formatNanos(r.priorityUsd),
    billed_tokens: r.billedTokens.toString(),
    traced_tokens: r.tracedTokens.toString(),
    traced_requests: r.tracedRequests,
    unpriced_requests: r.unpricedRequests,
    unpriced_tokens: r.unpricedTokens.toString(),
    projects: r.projects,
  };
}

function jsonProject(p: ProjectRow): Record<string, unknown> {
  return {
    provider: p.provider,
    account: p.account,
    project: p.project,
    service: p.service,
    environment: p.environment,
    billed_usd: money(p.billedUsd),
    traced_requests: p.tracedRequests,
    traced_usd: formatNanos(p.tracedUsd),
  };
}

function jsonSuggestion(s: Suggestion): Record<string, unknown> {
  return {
    kind: s.kind,
    provider: s.provider,
    subject: s.subject,
    amount_usd: money(s.amountUsd),
    message: s.message,
  };
}

const CSV_COLUMNS = [
  'day',
  'provider',
  'model',
  'ghost_usd',
  'billed_usd',
  'traced_usd',
  'explained_unpriced_usd',
  'explained_tier_usd',
  'explained_batch_usd',
  'explained_price_change_usd',
  'unexplained_usd',
  'billed_tokens',
  'traced_tokens',
  'traced_requests',
  'unpriced_requests',
] as const;

export async function reconcile(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const format = str(args, 'format') ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv');
  const window = windowDays(args);
  const database = schemaDatabase(args);
  const backend = await openBackend(args);
  let result: Awaited<ReturnType<typeof queryReconciliation>>;
  try {
    result = await queryReconciliation(backend, { ...window, providers: list(args, 'provider'), database });
  } finally {
    await backend.close();
  }
  const { rows, projects, totals } = result;
  const suggestions = suggest(result);

  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        {
          window: { from_day: window.fromDay, to_day: window.toDay },
          currency: 'USD',
          ghost_usd: formatNanos(totals.ghostUsd),
          totals: {
            billed_usd: formatNanos(totals.billedUsd),
            traced_usd: formatNanos(totals.tracedUsd),
            ghost_usd: formatNanos(totals.ghostUsd),
            explained_unpriced_usd: formatNanos(totals.explainedUnpricedUsd),
            explained_tier_usd: formatNanos(totals.explainedTierUsd),
            explained_batch_usd: formatNanos(totals.explainedBatchUsd),
            explained_price_change_usd: formatNanos(totals.explainedPriceChangeUsd),
            unexplained_usd: formatNanos(totals.unexplainedUsd),
            traced_not_billed_usd: formatNanos(totals.tracedNotBilledUsd),
            billed_other_currencies: Object.fromEntries(
              Object.entries(totals.otherCurrencies).map(([c, v]) => [c, formatNanos(v)]),
            ),
          },
          rows: rows.map(jsonRow),
          projects: projects.map(jsonProject),
          suggestions: suggestions.map(jsonSuggestion),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (format === 'csv') {
    process.stdout.write(
      toCsv(
        [...CSV_COLUMNS],
        rows.map((r) => {
          const j = jsonRow(r);
          return CSV_COLUMNS.map((c) => (j[c] === null || j[c] === undefined ? '' : String(j[c])));
        }),
      ),
    );
    return 0;
  }

  const usd = (n: bigint | undefined) => (n === undefined ? '-' : formatUsd(n));
  // A bill in another currency (no --usd-rate) shows as such, never as USD.
  const billedCell = (r: ReconciliationRow) =>
    r.billedUsd !== undefined
      ? formatUsd(r.billedUsd)
      : Object.entries(r.billedOtherCurrencies)
          .map(([currency, amount]) => `${currency} ${formatNanos(amount)}`)
          .join(' + ') || '-';
  const out: string[] = [`aicost reconcile ${window.fromDay} .. ${window.toDay} (UTC days)`, ''];
  if (rows.every((r) => r.billedRows === 0)) {
    out.push('no billing rows in this window: import a bill first (aicost billing load <files>)', '');
  }
  out.push(
    `Ghost spend (billed - traced): ${usd(totals.ghostUsd)}   billed ${usd(totals.billedUsd)}, traced ${usd(totals.tracedUsd)}`,
    `  explained: unpriced spans ${usd(totals.explainedUnpricedUsd)}, service tier ${usd(totals.explainedTierUsd)}, batch ${usd(totals.explainedBatchUsd)}, price changes ${usd(totals.explainedPriceChangeUsd)}; unexplained ${usd(totals.unexplainedUsd)}`,
  );
  if (totals.tracedNotBilledUsd !== 0n)
    out.push(`  traced with no comparable bill row (not in the totals): ${usd(totals.tracedNotBilledUsd)}`);
  for (const [currency, amount] of Object.entries(totals.otherCurrencies))
    out.push(`  billed in ${currency}, not compared (no --usd-rate): ${formatNanos(amount)} ${currency}`);
  out.push('');
  if (rows.length > 0) {
    out.push(
      toTable(
        [
          'day',
          'provider',
          'model',
          'ghost',
          'billed',
          'traced',
          'unpriced',
          'tier',
          'batch',
          'price chg',
          'unexplained',
        ],
        rows.map((r) => [
          r.day,
          r.provider,
          r.model === '' ? '(no model)' : r.model,
          usd(r.ghostUsd),
          billedCell(r),
          usd(r.tracedUsd),
          usd(r.explainedUnpricedUsd),
          usd(r.explainedTierUsd),
          usd(r.explainedBatchUsd),
          usd(r.explainedPriceChangeUsd),
          usd(r.unexplainedUsd),
        ]),
        ['left', 'left', 'left', ...Array(8).fill('right' as const)],
      ).trimEnd(),
    );
  }
  if (suggestions.length > 0) {
    out.push('', 'Suggestions:', ...suggestions.map((s) => `  - ${s.message}`));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
