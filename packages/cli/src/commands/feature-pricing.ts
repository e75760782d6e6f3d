/**
 * `aicost report --feature X --price-for-margin 70%`: the feature's cost per request and per
 * customer-month at p50, p90, p99 and max (the engine's quantileExact), and the price that
 * reaches the target gross AI margin at each. Kept apart from report.ts; report() calls it.
 */
import { formatNanos } from '@aicost/core';
import { list, type ParsedArgs, str, UsageError } from '../args.js';
import { parseMargin, priceForMargin } from '../economics/price-for-margin.js';
import { featureDistributionSql, type Window } from '../economics/queries.js';
import { query } from '../economics/run.js';
import { toCsv, toTable } from '../output.js';
import { parseCostText } from '../report/money.js';
import { openBackend } from '../store/backend.js';

const LEVELS = ['p50', 'p90', 'p99', 'max'] as const;

export async function reportPriceForMargin(args: ParsedArgs, window: Window): Promise<number> {
  const features = list(args, 'feature');
  if (features.length !== 1) throw new UsageError('--price-for-margin needs exactly one --feature');
  const feature = features[0]!;
  const marginText = str(args, 'price-for-margin')!;
  let margin: { units: bigint; scale: number };
  try {
    margin = parseMargin(marginText);
  } catch (error) {
    throw new UsageError(`--price-for-margin: ${(error as Error).message}`);
  }
  const format = str(args, 'format') ?? 'table';
  const backend = await openBackend(args);
  let row: Record<string, string | null>;
  try {
    const { sql, params } = featureDistributionSql(feature, window);
    const rs = await query(backend, sql, params);
    row = Object.fromEntries(rs.columns.map((c, i) => [c.name, rs.rows[0]?.[i] ?? null]));
  } finally {
    await backend.close();
  }
  const pricedRequests = Number(row.priced_requests ?? 0);
  const lines = (['request', 'customer_month'] as const).flatMap((unit) =>
    LEVELS.map((level) => {
      const cost = pricedRequests > 0 ? parseCostText(row[`${unit}_${level}`] ?? '0') : undefined;
      return {
        unit: unit === 'request' ? 'per request' : 'per customer-month',
        percentile: level,
        cost: cost === undefined ? null : formatNanos(cost),
        price: cost === undefined ? null : formatNanos(priceForMargin(cost, margin)),
      };
    }),
  );
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        {
          feature,
          window: {
            from: new Date(Number(window.fromNs / 1_000_000n)).toISOString(),
            to: new Date(Number(window.toNs / 1_000_000n)).toISOString(),
          },
          target_margin: marginText,
          quantile: 'quantileExact: sorted ascending, 0-based position floor(level x n)',
          priced_requests: pricedRequests,
          unpriced_requests: Number(row.unpriced_requests ?? 0),
          customer_months: Number(row.customer_months ?? 0),
          rows: lines,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const columns = ['unit', 'percentile', 'cost_usd', `price_for_${marginText}_margin_usd`];
  const cells = lines.map((l) => [l.unit, l.percentile, l.cost, l.price]);
  if (format === 'csv') {
    process.stdout.write(toCsv(columns, cells));
    return 0;
  }
  process.stdout.write(
    `feature ${feature}: ${pricedRequests} priced request(s), ${row.customer_months ?? 0} customer-month(s); ` +
      `target gross AI margin ${marginText}; price = cost / (1 - margin), rounded up to the nano-dollar\n` +
      'percentiles: quantileExact (sorted ascending, 0-based position floor(level x n))\n\n',
  );
  if (pricedRequests === 0) {
    process.stdout.write('no priced requests of this feature in the window\n');
    return 0;
  }
  process.stdout.write(toTable(columns, cells, ['left', 'left', 'right', 'right']));
  if (Number(row.unpriced_requests ?? 0) > 0)
    process.stdout.write(`\n${row.unpriced_requests} unpriced request(s) are not in these figures.\n`);
  return 0;
}
