/**
 * Where the schema is deployed, and what that changes in its DDL.
 *
 * - `single`: one server (or the embedded engine). The files as written.
 * - `cluster`: a self-managed cluster. Every statement `ON CLUSTER`; each table that grows
 *   with traffic is a `Replicated*` table named `<name>_local` on every shard plus a
 *   `Distributed` table `<name>` over them (its "face": what the collector writes to and
 *   users read); materialized views read and write the local tables, so each shard turns
 *   its own spans into its own requests and rollups; small reference tables (prices,
 *   aliases, the migrations table) are replicated to every node (a Keeper path without
 *   `{shard}`), so the pricing joins at ingest find every row locally.
 * - `cloud`: ClickHouse Cloud. No `ON CLUSTER` and no engine rewrite: the service replicates
 *   DDL itself (Replicated database) and stores MergeTree tables as SharedMergeTree.
 */

export type Layout = { kind: 'single' } | { kind: 'cluster'; cluster: string } | { kind: 'cloud' };

export const SINGLE: Layout = { kind: 'single' };

/**
 * The tables that get a Distributed face in cluster mode, with the sharding key of that face.
 *
 * Spans are sharded by trace: a trace's spans and the requests, trace-id lookups and rollup
 * rows made from them on insert all live on one shard (a trace is read on one shard; the
 * trace-id MV's min/max per trace is complete there), TraceId is uniformly random so shards
 * fill evenly, and the split of a retried batch is the same, so insert deduplication still
 * drops it on each shard (a random key would defeat it). Customer or feature keys would put
 * a large customer's whole load on one shard.
 * The request and rollup tables are filled by materialized views on the shard where the span
 * landed; their faces' keys decide only where direct inserts (backfills) go: requests by
 * trace like their spans, rollups by (hour or day, customer). Rollup rows for one key may
 * then sit on several shards: every reader already sums with GROUP BY (SummingMergeTree), and
 * the Distributed face merges those sums across shards.
 */
export const SHARDED_TABLES: Readonly<Record<string, string>> = {
  otel_traces: 'cityHash64(TraceId)',
  otel_traces_trace_id_ts: 'cityHash64(TraceId)',
  // Metrics are few (aicost's own counters): by series, so one series' points stay together.
  otel_metrics_gauge: 'cityHash64(ServiceName, MetricName)',
  otel_metrics_sum: 'cityHash64(ServiceName, MetricName)',
  otel_metrics_summary: 'cityHash64(ServiceName, MetricName)',
  otel_metrics_histogram: 'cityHash64(ServiceName, MetricName)',
  otel_metrics_exponential_histogram: 'cityHash64(ServiceName, MetricName)',
  aicost_requests: 'cityHash64(trace_id)',
  aicost_rollup_hourly: 'cityHash64(hour, customer)',
  aicost_rollup_daily: 'cityHash64(day, customer)',
  aicost_rollup_feature_daily: 'cityHash64(day, feature)',
  aicost_rollup_customer_daily: 'cityHash64(day, customer)',
  // Outcomes by trace, like the requests they are joined to.
  aicost_outcomes: 'cityHash64(trace_id)',
};

/** The suffix of the local tables behind a Distributed face. */
export const LOCAL_SUFFIX = '_local';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A database or cluster name we write into DDL unquoted: letters, digits, underscores. */
export function checkIdentifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `${kind} name must be letters, digits and underscores, not starting with a digit: ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The template parameters that depend on the layout (see the README's table). */
export function layoutParameters(database: string, layout: Layout): Record<string, string> {
  const cluster = layout.kind === 'cluster' ? checkIdentifier('cluster', layout.cluster) : undefined;
  return {
    database: checkIdentifier('database', database),
    on_cluster: cluster ? ` ON CLUSTER ${cluster}` : '',
    local: cluster ? LOCAL_SUFFIX : '',
    replicated: cluster ? 'Replicated' : '',
    // ClickHouse expands {database}/{table}/{replica} itself; without {shard} every node is a
    // replica of the same table. {replica} must be unique in the whole cluster (e.g. the host).
    on_every_node: cluster ? "'/clickhouse/tables/{database}/{table}/all', '{replica}', " : '',
    dedup_window:
      layout.kind === 'single' ? 'non_replicated_deduplication_window' : 'replicated_deduplication_window',
  };
}

/**
 * In cluster mode, the statements that follow one rendered statement: the Distributed face
 * after a sharded table is created, and the same column change on the face after its local
 * table is altered (a face has the columns of its table).
 */
export function distributedCompanions(statement: string, database: string, layout: Layout): string[] {
  if (layout.kind !== 'cluster') return [];
  const created = /^CREATE TABLE IF NOT EXISTS "?(\w+)"?\."?(\w+)_local"? ON CLUSTER (\w+)/.exec(statement);
  if (created && created[1] === database && created[2]! in SHARDED_TABLES) {
    const table = created[2]!;
    return [
      `CREATE TABLE IF NOT EXISTS ${database}.${table} ON CLUSTER ${layout.cluster} AS ${database}.${table}${LOCAL_SUFFIX}\n` +
        `ENGINE = Distributed('${layout.cluster}', '${database}', '${table}${LOCAL_SUFFIX}', ${SHARDED_TABLES[table]})`,
    ];
  }
  const altered =
    /^ALTER TABLE "?(\w+)"?\."?(\w+)_local"? ON CLUSTER \w+\s+((?:ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN [\s\S]*)$/.exec(
      statement,
    );
  if (altered && altered[1] === database && altered[2]! in SHARDED_TABLES) {
    // A face has no sorting key: a key grown with the column (a rollup dimension) stays local.
    const change = altered[3]!.replace(/,\s*MODIFY ORDER BY[\s\S]*$/, '');
    return [`ALTER TABLE ${database}.${altered[2]} ON CLUSTER ${layout.cluster} ${change}`];
  }
  return [];
}
