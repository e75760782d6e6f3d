/**
 * The SQL fragments every dashboard query is built from, written once.
 *
 * Queries go through the Grafana ClickHouse plugin in this order (see test/support/grafana.ts):
 * `$__conditionalAll(...)` first, then Grafana's variable interpolation, then the backend
 * macros (`$__timeFilter`, `$__fromTime`, `$__interval_s`, ...). The fragments below are
 * written for that order:
 * - a multi-value variable is always read through `selectedValues` (below), never quoted by
 *   Grafana: the plugin's default format quotes arrays without escaping and leaves single
 *   values raw, and `${name:singlequote}` escapes `'` but not `\`, so a value such as
 *   `\') OR 1=1 --` (a customer id is whatever a sender put in baggage) would end the literal;
 * - every variable filter is wrapped in `$__conditionalAll(<filter>, $name)` with the bare
 *   `$name` (the plugin recognises only `$name` or `${name}` there), so "All" (custom all
 *   value `$__all`) turns the filter into `1=1` instead of listing every value.
 *
 * Tables: totals, top-N and trends read the rollups (SummingMergeTree: always
 * `sum(...) GROUP BY`) through `rollupOver` (below): the UTC days the range covers whole come
 * from a daily rollup (the narrow feature or customer one when the panel's columns and the
 * selection allow), only the hours of the partial days at its edges from the hourly one, so a
 * 90-day range reads ~90 daily groups instead of ~2,160 hourly ones and the numbers stay the
 * hourly rollup's to the nano-dollar. Per-request detail (percentiles, single requests,
 * errors by type, latency) reads the request table. Money stays Decimal(38, 9) in SQL; Grafana
 * converts it for display.
 */

/**
 * The schema's database (`aicost migrate --database`): `AICOST_DATABASE` when the dashboards
 * are generated, else `otel`. The committed dashboards use `otel`; for another database,
 * regenerate them with the variable set (grafana/README.md).
 */
export const DATABASE = process.env.AICOST_DATABASE || 'otel';
if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(DATABASE))
  throw new Error(`AICOST_DATABASE: not a database name: ${DATABASE}`);

export const HOURLY = `${DATABASE}.aicost_rollup_hourly`;
export const DAILY = `${DATABASE}.aicost_rollup_daily`;
export const REQUESTS = `${DATABASE}.aicost_requests`;
export const CACHE_SAVINGS = `${DATABASE}.aicost_cache_savings`;
export const UNPRICED = `${DATABASE}.aicost_unpriced_requests`;

/** How an empty attribution value (no feature, no customer, ...) is shown and selected. */
export const NONE = '(none)';

/** A dimension column as shown in variables and tables: empty values become `(none)`. */
export function shown(column: string): string {
  return `if(${column} = '', '${NONE}', ${column})`;
}

/** The dashboard variables; each is a column of the rollup and of the request table. */
export interface Dimension {
  /** Variable name, also the column name. */
  name: string;
  label: string;
}

export const DIMENSIONS: readonly Dimension[] = [
  { name: 'service', label: 'Service' },
  { name: 'environment', label: 'Environment' },
  { name: 'provider', label: 'Provider' },
  { name: 'model', label: 'Model' },
  { name: 'feature', label: 'Feature' },
  { name: 'customer', label: 'Customer' },
];

/**
 * The values selected in a variable, as a ClickHouse Array(String). Grafana's
 * `customqueryparam` format percent-encodes each value (RFC 3986 strict: `'`, `\`, `(`, ...
 * all become `%XX`) and joins them as `v=<value>&v=<value>`, so the literal can hold nothing
 * that ends it, and ClickHouse decodes every value back exactly.
 */
export function selectedValues(name: string): string {
  return `arrayMap(v -> decodeURLComponent(substring(v, 3)), splitByChar('&', '\${${name}:customqueryparam:v}'))`;
}

/** `<column>` is one of the selected values, or `1=1` when All is selected. */
export function variableFilter(dimension: Dimension, qualifier = ''): string {
  return `$__conditionalAll(has(${selectedValues(dimension.name)}, ${shown(qualifier + dimension.name)}), $${dimension.name})`;
}

/**
 * The WHERE clause of a panel: the time range on `timeFilter` plus every variable filter.
 * `dimensions` limits the filters to the columns the source has (the cache-savings view has
 * no customer column).
 */
export function where(timeFilter: string, dimensions: readonly Dimension[] = DIMENSIONS): string {
  return [timeFilter, ...dimensions.map((dimension) => variableFilter(dimension))].join('\n  AND ');
}

/** Rollup rows whose hour starts inside the dashboard range. */
export const ROLLUP_RANGE = '$__timeFilter(hour)';
/** Requests that started inside the dashboard range. */
export const REQUEST_RANGE = '$__timeFilter(timestamp)';

/** Length of the dashboard range in seconds (at least 1: it divides). */
export const RANGE_SECONDS = `greatest(dateDiff('second', $__fromTime, $__toTime), 1)`;
/** The period of the same length just before the dashboard range (for "vs previous period"). */
export const PREVIOUS_FROM = `addSeconds($__fromTime, -dateDiff('second', $__fromTime, $__toTime))`;
/** Rollup rows of the previous period and the current one together. */
export const ROLLUP_RANGE_WITH_PREVIOUS = `hour >= ${PREVIOUS_FROM} AND hour <= $__toTime`;
export const IN_CURRENT = 'hour >= $__fromTime';
export const IN_PREVIOUS = 'hour < $__fromTime';

/**
 * Time buckets of a rollup time series: Grafana's interval, but never finer than the
 * rollup's hour.
 */
export function rollupBucket(hour: string): string {
  return `toStartOfInterval(${hour}, INTERVAL greatest($__interval_s, 3600) second)`;
}
export const ROLLUP_BUCKET = rollupBucket('hour');

/** The attribution and call columns of the hourly and daily rollups. */
const ROLLUP_DIMENSIONS = [
  'environment',
  'service',
  'feature',
  'customer',
  'workflow',
  'team',
  'provider',
  'model',
  'operation',
  'cost_status',
];
/** The sums every rollup has. */
const ROLLUP_MEASURES = [
  'requests',
  'priced_requests',
  'unpriced_requests',
  'error_requests',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_total',
  'cost_input',
  'cost_cache_read',
  'cost_cache_write',
  'cost_output',
  'cost_other',
  'duration_ns',
];

/**
 * A narrow daily rollup (packages/schema/sql/030_rollups.sql): fewer rows than the daily one because
 * it lacks some dimensions. A panel may read it only if it does not use those columns, and only
 * while the variables of those columns are "All" (their filters cannot apply).
 */
export interface NarrowRollup {
  table: string;
  lacks: readonly string[];
}
export const FEATURE_DAILY: NarrowRollup = {
  table: `${DATABASE}.aicost_rollup_feature_daily`,
  lacks: ['customer', 'workflow', 'team'],
};
export const CUSTOMER_DAILY: NarrowRollup = {
  table: `${DATABASE}.aicost_rollup_customer_daily`,
  lacks: ['feature', 'workflow', 'team', 'provider', 'model', 'operation'],
};

/** The hourly rollup's columns from a table that lacks some (they read as empty). */
function rollupColumns(lacks: readonly string[] = []): string {
  return [
    ...ROLLUP_DIMENSIONS.map((column) => (lacks.includes(column) ? `'' AS ${column}` : column)),
    ...ROLLUP_MEASURES,
  ].join(', ');
}

/** What a panel does with the hours of its range, so `rollupOver` knows which days it may sum. */
export interface RollupUse {
  /** The first and the last hour start the panel reads (inclusive, as `$__timeFilter`). */
  from: string;
  to: string;
  /** An instant the panel splits hours at (current vs previous period: before it, and from it). */
  splitAt?: string;
  /** The panel groups hours into Grafana's time buckets (`ROLLUP_BUCKET`). */
  bucketed?: boolean;
  /** A narrow daily rollup the panel's columns allow, read for whole days while its variables are All. */
  narrow?: NarrowRollup;
}

/**
 * True when every dashboard variable of `columns` is "All" (`$__conditionalAll` turns its
 * first argument into `1=1` then), false otherwise; `1=1` when there is none.
 */
function allSelected(columns: readonly string[]): string {
  const variables = DIMENSIONS.filter((dimension) => columns.includes(dimension.name));
  if (variables.length === 0) return '1=1';
  return variables.map((dimension) => `$__conditionalAll(0 = 1, $${dimension.name})`).join(' AND ');
}

/** Midnight (UTC) of the day that contains `instant`. */
const midnight = (instant: string) => `toStartOfDay(${instant}, 'UTC')`;

/**
 * The rollup rows a panel reads, as a subquery with the hourly rollup's columns (`hour` is the
 * day's start on rows from the daily rollup). A UTC day comes from the daily rollup when the
 * panel would read all 24 of its hours and treat them alike (`RollupUse`): its first and last
 * hour are both in the range (then every hour between is), on the same side of `splitAt`, in
 * the same time bucket. Every other hour of the range comes from the hourly rollup (the exact
 * complement: `NOT whole`), so the result equals reading the hourly rollup alone, to the
 * nano-dollar: a range of whole days reads days, a partial day at either edge reads its hours,
 * a range shorter than a day or a time series bucketed finer than a day reads hours only.
 *
 * `NOT whole` alone does not narrow the hourly read (the engine's index cannot use it), so the
 * hourly side also carries plain bounds on `hour` that contain every hour `NOT whole` keeps:
 * before the first whole day, after the last one, on the day of `splitAt`, or everything when
 * buckets are not whole days.
 */
export function rollupOver(use: RollupUse): string {
  const inRange = (hour: string) => `${hour} >= ${use.from} AND ${hour} <= ${use.to}`;
  const whole = (dayStart: string) => {
    const lastHour = `addHours(${dayStart}, 23)`;
    return [
      inRange(dayStart),
      inRange(lastHour),
      ...(use.splitAt === undefined
        ? []
        : [`(${lastHour} < ${use.splitAt} OR ${dayStart} >= ${use.splitAt})`]),
      ...(use.bucketed ? [`${rollupBucket(dayStart)} = ${rollupBucket(lastHour)}`] : []),
    ].join(' AND ');
  };
  // Midnights of the first and last days inside the range (the first may come after the last:
  // then no day is whole). `from` and `to` are whole seconds.
  const firstWholeDay = midnight(`addSeconds(${use.from}, 86399)`);
  const lastWholeDay = midnight(`addHours(${use.to}, -23)`);
  const partialHours = [
    `hour < ${firstWholeDay}`,
    `hour >= addDays(${lastWholeDay}, 1)`,
    ...(use.splitAt === undefined
      ? []
      : [`(hour >= ${midnight(use.splitAt)} AND hour < addDays(${midnight(use.splitAt)}, 1))`]),
    ...(use.bucketed ? ['greatest($__interval_s, 3600) % 86400 != 0'] : []),
  ].join('\n      OR ');
  const dayStart = "toDateTime(day, 'UTC')";
  const days = (table: string, columns: string, when: string) => `
  SELECT ${dayStart} AS hour, ${columns}
  FROM ${table}
  WHERE day >= toDate(${use.from}, 'UTC') AND day <= toDate(${use.to}, 'UTC')
    AND ${whole(dayStart)}${when === '' ? '' : `\n    AND ${when}`}
  UNION ALL`;
  const dailySides =
    use.narrow === undefined
      ? days(DAILY, rollupColumns(), '')
      : days(use.narrow.table, rollupColumns(use.narrow.lacks), allSelected(use.narrow.lacks)) +
        days(DAILY, rollupColumns(), `NOT (${allSelected(use.narrow.lacks)})`);
  return `(${dailySides}
  SELECT hour, ${rollupColumns()}
  FROM ${HOURLY}
  WHERE ${inRange('hour')}
    AND (${partialHours})
    AND NOT (${whole('toStartOfDay(hour)')})
)`;
}

/** The dashboard range. */
export const OVER_RANGE: RollupUse = { from: '$__fromTime', to: '$__toTime' };
/** The dashboard range in Grafana's time buckets. */
export const OVER_RANGE_BUCKETED: RollupUse = { ...OVER_RANGE, bucketed: true };
/** The dashboard range and the period of the same length before it, split at the range start. */
export const OVER_RANGE_WITH_PREVIOUS: RollupUse = {
  from: PREVIOUS_FROM,
  to: '$__toTime',
  splitAt: '$__fromTime',
};
/** Time buckets of a request-table time series. */
export const REQUEST_BUCKET = '$__timeInterval(timestamp)';

// Measures over the rollup. The rollup's cost sums cover priced requests only; a group
// without any priced request has an unknown cost (NULL), never 0.
export const SPEND = 'if(sum(priced_requests) = 0, NULL, sum(cost_total))';
export const REQUEST_COUNT = 'sum(requests)';
export const COST_PER_REQUEST = 'if(sum(priced_requests) = 0, NULL, sum(cost_total) / sum(priced_requests))';
export function spendIf(condition: string): string {
  return `sumIf(cost_total, ${condition})`;
}

/** Share (0..1) as Float64, NULL when the denominator is 0. */
export function ratio(numerator: string, denominator: string): string {
  return `if(${denominator} = 0, NULL, toFloat64(${numerator}) / toFloat64(${denominator}))`;
}
