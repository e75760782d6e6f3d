/**
 * The SQL fragments every dashboard query is built from, written once.
 *
 * Queries go through the Grafana ClickHouse plugin in this order (see test/support/grafana.ts):
 * `$__conditionalAll(...)` first, then Grafana's variable interpolation, then the backend
 * macros (`$__timeFilter`, `$__fromTime`, `$__interval_s`, ...). The fragments below are
 * written for that order:
 * - a multi-value variable is always written `${name:singlequote}` (quoted AND escaped; the
 *   plugin's default format quotes arrays without escaping and leaves single values raw);
 * - every variable filter is wrapped in `$__conditionalAll(<filter>, $name)` with the bare
 *   `$name` (the plugin recognises only `$name` or `${name}` there), so "All" (custom all
 *   value `$__all`) turns the filter into `1=1` instead of listing every value.
 *
 * Tables: long ranges and totals read the hourly rollup (SummingMergeTree: always
 * `sum(...) GROUP BY`); per-request detail (percentiles, single requests, errors, latency)
 * reads the request table. Money stays Decimal(38, 9) in SQL; Grafana converts it for display.
 */

export const ROLLUP = 'otel.aicost_rollup_hourly';
export const REQUESTS = 'otel.aicost_requests';
export const CACHE_SAVINGS = 'otel.aicost_cache_savings';
export const UNPRICED = 'otel.aicost_unpriced_requests';

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

/** `<column> IN (<selected values>)`, or `1=1` when All is selected. */
export function variableFilter(dimension: Dimension, qualifier = ''): string {
  return `$__conditionalAll(${shown(qualifier + dimension.name)} IN (\${${dimension.name}:singlequote}), $${dimension.name})`;
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
export const ROLLUP_BUCKET = 'toStartOfInterval(hour, INTERVAL greatest($__interval_s, 3600) second)';
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
