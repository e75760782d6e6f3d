/**
 * The report's SQL over `otel.aicost_requests` (one row per GenAI call,
 * written by the schema's materialized view). Costs stay Decimal in SQL and
 * leave as text; unpriced requests are counted apart and never summed as 0.
 */
import { DEFAULT_DATABASE } from '@aicost/schema';

export const DIMENSIONS = {
  feature: 'feature',
  customer: 'customer',
  workflow: 'workflow',
  team: 'team',
  model: 'model',
  provider: 'provider',
  operation: 'operation',
  service: 'service',
  environment: 'environment',
  day: 'toDate(timestamp)',
} as const;

export type Dimension = keyof typeof DIMENSIONS;

/** Every dimension but `day` is a String column, and can filter the report (`--customer acme`). */
export const FILTER_DIMENSIONS = Object.keys(DIMENSIONS).filter((d) => d !== 'day') as Exclude<
  Dimension,
  'day'
>[];
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];

export interface ReportQuery {
  by: Dimension[];
  fromNs: bigint;
  toNs: bigint;
  /** Values kept per dimension (any of them); a dimension without values is not filtered. */
  filters: Partial<Record<FilterDimension, string[]>>;
  limit?: number;
  /** The schema's database; default `otel`. */
  database?: string;
}

export function isDimension(name: string): name is Dimension {
  return Object.hasOwn(DIMENSIONS, name);
}

/** The statement and its parameters (bound by the engine, never spliced into the text). */
export function reportSql(q: ReportQuery): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = { from_ns: q.fromNs.toString(), to_ns: q.toNs.toString() };
  const where = [
    'timestamp >= fromUnixTimestamp64Nano({from_ns:Int64})',
    'timestamp < fromUnixTimestamp64Nano({to_ns:Int64})',
  ];
  const inList = (column: string, prefix: string, values: string[]) => {
    if (values.length === 0) return;
    const names = values.map((v, i) => {
      params[`${prefix}${i}`] = v;
      return `{${prefix}${i}:String}`;
    });
    where.push(`${column} IN (${names.join(', ')})`);
  };
  for (const dimension of FILTER_DIMENSIONS) inList(dimension, `${dimension}_`, q.filters[dimension] ?? []);

  // Every dimension but `day` is a String column of the same name.
  const dims = q.by.map((d) => (d === 'day' ? `toString(${DIMENSIONS[d]}) AS day` : d));
  const sql = `SELECT
    ${[...dims, ''].join(',\n    ')}count() AS requests,
    countIf(cost_total IS NOT NULL) AS priced_requests,
    countIf(cost_total IS NULL) AS unpriced_requests,
    toString(sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL)) AS cost,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(reasoning_tokens) AS reasoning_tokens
FROM ${q.database ?? DEFAULT_DATABASE}.aicost_requests
WHERE ${where.join('\n  AND ')}
${q.by.length ? `GROUP BY ${q.by.join(', ')}` : ''}
ORDER BY sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) DESC, requests DESC${q.by.length ? `, ${q.by.join(', ')}` : ''}
${q.limit ? `LIMIT ${Math.trunc(q.limit)}` : ''}`;
  return { sql, params };
}
