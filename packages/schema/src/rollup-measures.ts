/**
 * What every rollup sums, written once: the measure columns of the four rollup tables
 * (`{{rollup_measure_columns}}`) and the aggregates their materialized views compute from the
 * request table `r` (`{{rollup_measures}}`), see sql/030_rollups.sql. The rollups differ only
 * in their keys.
 */

export interface RollupMeasure {
  name: string;
  type: string;
  /** Over the request rows of one key, `r` being aicost_requests. */
  aggregate: string;
}

/** A cost sum over priced requests only: an unknown cost is not 0 (`unpriced_requests` counts them). */
const pricedSum = (column: string) => `sumIf(assumeNotNull(r.${column}), r.${column} IS NOT NULL)`;

export const ROLLUP_MEASURES: readonly RollupMeasure[] = [
  { name: 'requests', type: 'UInt64', aggregate: 'count()' },
  { name: 'priced_requests', type: 'UInt64', aggregate: 'countIf(r.cost_total IS NOT NULL)' },
  { name: 'unpriced_requests', type: 'UInt64', aggregate: 'countIf(r.cost_total IS NULL)' },
  { name: 'error_requests', type: 'UInt64', aggregate: "countIf(status_code = 'Error')" },
  { name: 'input_tokens', type: 'UInt64', aggregate: 'sum(r.input_tokens)' },
  { name: 'output_tokens', type: 'UInt64', aggregate: 'sum(r.output_tokens)' },
  { name: 'cache_read_tokens', type: 'UInt64', aggregate: 'sum(r.cache_read_tokens)' },
  { name: 'cache_write_tokens', type: 'UInt64', aggregate: 'sum(r.cache_write_tokens)' },
  { name: 'reasoning_tokens', type: 'UInt64', aggregate: 'sum(r.reasoning_tokens)' },
  { name: 'cost_total', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_total') },
  { name: 'cost_input', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_input') },
  { name: 'cost_cache_read', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_cache_read') },
  { name: 'cost_cache_write', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_cache_write') },
  { name: 'cost_output', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_output') },
  { name: 'cost_other', type: 'Decimal(38, 9)', aggregate: pricedSum('cost_other') },
  { name: 'duration_ns', type: 'UInt64', aggregate: 'sum(r.duration_ns)' },
];

/** The template parameters that 030_rollups.sql takes from this list. */
export function rollupParameters(measures: readonly RollupMeasure[] = ROLLUP_MEASURES) {
  return {
    rollup_measure_columns: measures.map((m) => `${m.name} ${m.type}`).join(',\n    '),
    rollup_measures: measures.map((m) => `${m.aggregate} AS ${m.name}`).join(',\n    '),
  };
}
