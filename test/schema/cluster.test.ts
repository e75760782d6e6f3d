/**
 * The schema for a self-managed cluster and for ClickHouse Cloud (@aicost/schema layouts).
 *
 * Cluster: every statement ON CLUSTER, Replicated* local tables, a Distributed face (with its
 * sharding key) for every table that grows with traffic, materialized views only on local
 * tables, reference tables (prices, aliases, the migrations ledger) replicated to every node.
 * No Keeper here, so the cluster DDL is checked three ways: by its text; by the engine's
 * parser (EXPLAIN AST, on an engine whose config sets the cluster and the {shard}/{replica}
 * macros); and run for real on a one-shard cluster of this engine, as each node runs an ON
 * CLUSTER statement, replication aside (ON CLUSTER clause dropped, Replicated* engines as
 * their plain form): spans written to the Distributed `otel_traces` must come out of every
 * face users read.
 * Cloud: no ON CLUSTER, no engine rewrite, run on the engine as is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  columnMigration,
  migrate,
  REQUEST_COLUMNS,
  readMigrations,
  readSchema,
  renderStatements,
  SHARDED_TABLES,
} from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CACHE_SAVINGS,
  CUSTOMER_DAILY,
  DAILY,
  FEATURE_DAILY,
  HOURLY,
  REQUESTS,
  UNPRICED,
} from '../../grafana/generator/sql.ts';
import { reportSql } from '../../packages/cli/src/report/query.js';
import { type EngineSession, insertSpans, loadPriceRows, openEngine, runner } from '../support/chdb.js';
import { ALIASES, callSpan, PRICES } from './fixtures.js';

const CLUSTER = 'aicost_prod';
const DATABASE = 'otel';
const layout = { kind: 'cluster', cluster: CLUSTER } as const;
const clusterStatements = readSchema({ layout }).flatMap((f) => f.statements);
const cloudStatements = readSchema({ layout: { kind: 'cloud' } }).flatMap((f) => f.statements);

/** The object a DDL statement creates or changes, and what follows its name. */
const DDL_HEAD =
  /^(?:CREATE (?:DATABASE|TABLE|MATERIALIZED VIEW|DICTIONARY) IF NOT EXISTS|CREATE OR REPLACE (?:VIEW|FUNCTION)|DROP VIEW IF EXISTS|ALTER TABLE) ((?:"\w+"|\w+)(?:\.(?:"\w+"|\w+))?)/;
const unquote = (name: string) => name.replaceAll('"', '');
const objectName = (statement: string) =>
  unquote(DDL_HEAD.exec(statement)?.[1] ?? '').replace(`${DATABASE}.`, '');
const creates = (kind: RegExp) => clusterStatements.filter((s) => kind.test(s)).map((s) => objectName(s));

const tables = creates(/^CREATE TABLE/);
const views = creates(/^CREATE OR REPLACE VIEW/);
const materializedViews = clusterStatements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
const distributed = clusterStatements
  .filter((s) => /ENGINE = Distributed\(/.test(s))
  .map((s) => ({ name: objectName(s), engine: /ENGINE = (Distributed\(.*\))$/m.exec(s)![1]! }));
/** Tables every node holds whole (reference data): replicated without {shard} in the path. */
const everyNode = clusterStatements
  .filter((s) => s.includes("'/clickhouse/tables/{database}/{table}/all', '{replica}'"))
  .map(objectName);

/** collector/README.md's "Example queries" section: the SQL we tell users to run. */
function exampleQueries(): string {
  const text = readFileSync(fileURLToPath(new URL('../../collector/README.md', import.meta.url)), 'utf8');
  const start = text.indexOf('\n## Example queries');
  expect(start).toBeGreaterThan(-1);
  return text.slice(start, text.indexOf('\n## ', start + 1));
}

/** The tables and views a statement reads: `<database>.<name>` after FROM or JOIN. */
function readsOf(sql: string): string[] {
  return [...sql.matchAll(/\b(?:FROM|JOIN)\s+"?(\w+)"?\."?(\w+)"?/g)]
    .filter((m) => m[1] === DATABASE)
    .map((m) => m[2]!);
}

describe('cluster layout: the DDL', () => {
  it('puts ON CLUSTER on every statement, once, right after the object name', () => {
    expect(clusterStatements.length).toBeGreaterThan(60);
    for (const statement of clusterStatements) {
      const head = DDL_HEAD.exec(statement);
      expect(head, statement.slice(0, 120)).not.toBeNull();
      expect(
        statement.slice(head![0].length).startsWith(` ON CLUSTER ${CLUSTER}`),
        statement.slice(0, 120),
      ).toBe(true);
      expect(statement.split('ON CLUSTER').length - 1, statement.slice(0, 120)).toBe(1);
    }
  });

  it('makes every MergeTree-family engine Replicated', () => {
    const engines = clusterStatements.flatMap((s) => [...s.matchAll(/ENGINE = (\w+)/g)].map((m) => m[1]!));
    expect(engines.filter((e) => e.endsWith('MergeTree')).length).toBeGreaterThanOrEqual(15);
    expect(engines.filter((e) => e.endsWith('MergeTree') && !e.startsWith('Replicated'))).toEqual([]);
    expect(clusterStatements.join('\n')).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/{table}/all', '{replica}', loaded_at)",
    );
  });

  it('gives every sharded table a Replicated local table and a Distributed face with the stated key', () => {
    expect(distributed.map((d) => d.name).sort()).toEqual(Object.keys(SHARDED_TABLES).sort());
    for (const { name, engine } of distributed) {
      expect(engine).toBe(
        `Distributed('${CLUSTER}', '${DATABASE}', '${name}_local', ${SHARDED_TABLES[name]})`,
      );
      expect(tables).toContain(`${name}_local`);
      const local = clusterStatements.find(
        (s) => objectName(s) === `${name}_local` && s.startsWith('CREATE TABLE'),
      )!;
      expect(local, name).toMatch(/ENGINE = Replicated\w*MergeTree/);
      // The face comes right after its table: anything created later may read it.
      expect(clusterStatements.indexOf(local) + 1).toBe(
        clusterStatements.findIndex((s) =>
          s.startsWith(`CREATE TABLE IF NOT EXISTS ${DATABASE}.${name} ON CLUSTER`),
        ),
      );
    }
  });

  it('keeps reference data whole on every node: prices, aliases, the migrations ledger and the data users load', () => {
    // Loaded by a command, not by traffic: bills, revenue, targets, capacity pools and the routing rules.
    expect(everyNode.sort()).toEqual([
      'aicost_billing',
      'aicost_capacity',
      'aicost_price_aliases',
      'aicost_prices',
      'aicost_revenue',
      'aicost_route_hosts',
      'aicost_route_names',
      'aicost_schema_migrations',
      'aicost_service_tiers',
      'aicost_targets',
    ]);
  });

  it('runs every materialized view on local tables: it reads and writes no Distributed face', () => {
    // The request path (4), rollups (4), the trace-id index (1) and outcomes (1).
    expect(materializedViews.length).toBe(10);
    const faces = new Set(distributed.map((d) => d.name));
    for (const view of materializedViews) {
      const target = unquote(/\sTO (\S+)/.exec(view)![1]!).replace(`${DATABASE}.`, '');
      expect(faces.has(target), view.slice(0, 120)).toBe(false);
      expect(tables, view.slice(0, 120)).toContain(target);
      for (const source of readsOf(view))
        expect(faces.has(source), `${source} in ${view.slice(0, 80)}`).toBe(false);
    }
  });

  it('gives every table users query a Distributed face (or a copy on every node)', () => {
    const schemaDb = (qualified: string) => qualified.replace(/^otel\./, '');
    const queried = new Set<string>([
      // What the views read (users and dashboards read the views).
      ...clusterStatements.filter((s) => s.startsWith('CREATE OR REPLACE VIEW')).flatMap(readsOf),
      // What the dashboards read.
      ...[HOURLY, DAILY, REQUESTS, CACHE_SAVINGS, UNPRICED, FEATURE_DAILY.table, CUSTOMER_DAILY.table].map(
        schemaDb,
      ),
      // What `aicost report` reads.
      ...readsOf(reportSql({ by: [], fromNs: 0n, toNs: 1n, filters: {} }).sql),
      // What the collector writes (exporter tables) and what the README's example queries read.
      'otel_traces',
      ...[...exampleQueries().matchAll(/\botel\.(\w+)/g)].map((m) => m[1]!),
    ]);
    expect(queried.size).toBeGreaterThan(10);
    const faces = new Set(distributed.map((d) => d.name));
    const uncovered = [...queried].filter(
      (name) =>
        !faces.has(name) && !views.includes(name) && !everyNode.includes(name) && !name.endsWith('_local'),
    );
    expect(uncovered).toEqual([]);
    for (const table of ['otel_traces', 'aicost_requests', 'aicost_rollup_hourly', 'aicost_rollup_daily'])
      expect(faces.has(table), table).toBe(true);
  });

  it('refuses a cluster or database name that is not a plain identifier', () => {
    expect(() => readSchema({ layout: { kind: 'cluster', cluster: 'prod`; DROP' } })).toThrow(/cluster name/);
    expect(() => readSchema({ database: 'a.b' })).toThrow(/database name/);
  });
});

describe('cloud layout: the DDL', () => {
  it('has no ON CLUSTER, no Replicated engine, no local/Distributed split', () => {
    const text = cloudStatements.join('\n');
    expect(text).not.toContain('ON CLUSTER');
    expect(text).not.toMatch(/Replicated\w*MergeTree|Distributed\(|_local\b/);
    // SharedMergeTree deduplicates like a replicated table: its own window setting.
    expect(text).toContain('MODIFY SETTING replicated_deduplication_window = 10000');
    expect(text).not.toContain('non_replicated_deduplication_window');
  });
});

/** A server config for the engine: the cluster as one local shard, and the macros. */
function clusterConfig(dir: string): string {
  const file = join(dir, 'cluster.xml');
  writeFileSync(
    file,
    `<clickhouse>
  <tcp_port>9000</tcp_port>
  <macros><shard>01</shard><replica>node1</replica></macros>
  <remote_servers><${CLUSTER}><shard><replica><host>127.0.0.1</host><port>9000</port></replica></shard></${CLUSTER}></remote_servers>
</clickhouse>
`,
  );
  return file;
}

/** What one node runs of an ON CLUSTER statement, replication aside. */
function onOneNode(statement: string): string {
  return statement
    .replace(` ON CLUSTER ${CLUSTER}`, '')
    .replace(
      /ENGINE = Replicated(\w*MergeTree)\('\/clickhouse\/tables\/\{database\}\/\{table\}\/all', '\{replica\}', /,
      'ENGINE = $1(',
    )
    .replace(/ENGINE = Replicated(\w*MergeTree)/, 'ENGINE = $1');
}

describe('on the engine', () => {
  let engine: EngineSession;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicost-cluster-'));
    engine = openEngine('aicost-cluster-', { configFile: clusterConfig(dir) });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses every cluster statement with the macros set (EXPLAIN AST)', () => {
    expect(engine.query("SELECT getMacro('shard') AS shard, getMacro('replica') AS replica")).toEqual([
      { shard: '01', replica: 'node1' },
    ]);
    for (const statement of [...clusterStatements, ...cloudStatements]) {
      const ast = engine.query<{ explain: string }>(`EXPLAIN AST ${statement}`);
      expect(ast.length, statement.slice(0, 120)).toBeGreaterThan(0);
    }
    // Control: the parser does refuse broken DDL.
    expect(() => engine.query('EXPLAIN AST CREATE TABLE t ON CLUSTER ENGINE = Replicated')).toThrow();
  });

  it('migrates a cluster: a manifest column on the local tables and their faces, views refreshed ON CLUSTER, all parsed', async () => {
    // A database at version 1 (its ledger and tables; their engines do not matter here).
    engine.exec('CREATE DATABASE IF NOT EXISTS otel_upgrade');
    await migrate(runner(engine), { database: 'otel_upgrade' });
    const columns = [...REQUEST_COLUMNS, { name: 'throwaway', type: 'String', span: "SpanAttributes['x']" }];
    const ddl: string[] = [];
    await migrate(
      (sql) => {
        // Queries and the ledger record run; DDL is parsed only (no Keeper, no cluster DDL here).
        if (sql.startsWith('SELECT') || sql.startsWith('INSERT'))
          return engine.session.query(sql, 'TabSeparated');
        engine.query(`EXPLAIN AST ${sql}`);
        ddl.push(sql);
        return '';
      },
      {
        database: 'otel_upgrade',
        layout,
        requestColumns: columns,
        extraMigrations: [
          {
            version: readMigrations().length + 1,
            name: 'add_throwaway',
            file: 'x.sql',
            text: columnMigration(['throwaway'], columns),
          },
        ],
      },
    );
    const alters = ddl
      .filter((s) => s.includes('ADD COLUMN IF NOT EXISTS throwaway'))
      .map((s) => s.split(' ADD')[0]);
    expect(alters).toEqual([
      `ALTER TABLE otel_upgrade.aicost_requests_local ON CLUSTER ${CLUSTER}`,
      `ALTER TABLE otel_upgrade.aicost_requests ON CLUSTER ${CLUSTER}`,
      `ALTER TABLE otel_upgrade.aicost_spans ON CLUSTER ${CLUSTER}`,
      `ALTER TABLE otel_upgrade.aicost_spans_to_price ON CLUSTER ${CLUSTER}`,
    ]);
    const refreshed = ddl.filter((s) => s.includes('MODIFY QUERY')).map((s) => s.split('\n')[0]);
    expect(refreshed).toEqual(
      [
        'aicost_requests_priced_mv',
        'aicost_spans_to_price_mv',
        'aicost_requests_recorded_mv',
        'aicost_spans_mv',
      ].map((view) => `ALTER TABLE otel_upgrade.${view} ON CLUSTER ${CLUSTER} MODIFY QUERY`),
    );
    // The refreshed views read and write the local tables.
    expect(ddl.find((s) => s.includes('aicost_spans_mv ON CLUSTER'))).toContain(
      'FROM otel_upgrade.otel_traces_local',
    );
  });

  it('migration 7 on a cluster: a rollup grows its key on the local table, its Distributed face takes the columns only', () => {
    const migration = readMigrations().find((m) => m.version === 7)!;
    const statements = renderStatements(migration.text, { layout });
    for (const rollup of ['aicost_rollup_hourly', 'aicost_rollup_daily']) {
      const local = statements.filter((s) => s.startsWith(`ALTER TABLE otel.${rollup}_local ON CLUSTER`));
      const face = statements.filter((s) => s.startsWith(`ALTER TABLE otel.${rollup} ON CLUSTER`));
      expect(local, rollup).toHaveLength(1);
      expect(face, rollup).toHaveLength(1);
      expect(local[0]).toContain('MODIFY ORDER BY');
      // A Distributed table has no sorting key: the engine refuses MODIFY ORDER BY on it.
      expect(face[0]).not.toContain('ORDER BY');
      for (const column of ['service_version', 'deployment'])
        expect(face[0]).toContain(`ADD COLUMN IF NOT EXISTS ${column} LowCardinality(String)`);
    }
    for (const statement of statements) engine.query(`EXPLAIN AST ${statement}`);
  });

  it('runs the cluster layout on a one-shard cluster: spans written to the Distributed face reach every face users read', async () => {
    for (const statement of clusterStatements) engine.exec(onOneNode(statement));
    // Distributed inserts are queued by default; a test wants them written before it reads.
    engine.exec('SET distributed_foreground_insert = 1');
    await loadPriceRows(engine, PRICES, ALIASES);
    const start = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 10 * 3_600_000);
    const spans = Array.from({ length: 20 }, (_, i) =>
      callSpan({
        start,
        spanId: `00000000000000${(0xa0 + i).toString(16)}`,
        traceId: `0000000000000000000000000000${(0x1000 + i).toString(16)}`,
        provider: 'openai',
        requestModel: 'gpt-4o',
        usage: { input: 1000 + i },
        attributes: { 'aicost.feature': i % 2 === 0 ? 'search' : 'chat' },
      }),
    );
    await insertSpans(engine, spans, 10_000, `${DATABASE}.otel_traces`);
    const counts = engine.query(`SELECT
        (SELECT count() FROM otel.otel_traces_local) AS traces_local,
        (SELECT count() FROM otel.aicost_requests) AS requests,
        (SELECT count() FROM otel.aicost_requests_local) AS requests_local,
        (SELECT sum(requests) FROM otel.aicost_rollup_hourly) AS hourly,
        (SELECT sum(requests) FROM otel.aicost_cost_by_feature_daily) AS by_feature,
        (SELECT count() FROM otel.aicost_requests_repriced WHERE repriced) AS repriced,
        (SELECT count() FROM otel.otel_traces_trace_id_ts) AS trace_ids`);
    expect(counts).toEqual([
      {
        traces_local: '20',
        requests: '20',
        requests_local: '20',
        hourly: '20',
        by_feature: '20',
        repriced: '20',
        trace_ids: '20',
      },
    ]);
    // Priced at ingest by the MV on the local table (the spans came without a cost).
    const [priced] = engine.query<{ n: string }>(
      "SELECT count() AS n FROM otel.aicost_requests WHERE cost_status = 'priced' AND price_source LIKE 'clickhouse:%'",
    );
    expect(priced!.n).toBe('20');
  });
});

describe('cloud layout on the engine', () => {
  let engine: EngineSession;
  beforeAll(() => {
    engine = openEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('runs as is and turns spans into requests and rollups', async () => {
    for (const statement of cloudStatements) engine.exec(statement);
    await loadPriceRows(engine, PRICES, ALIASES);
    const start = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 10 * 3_600_000);
    await insertSpans(engine, [
      callSpan({
        start,
        spanId: '00000000000000b1',
        provider: 'openai',
        requestModel: 'gpt-4o',
        usage: { input: 10 },
      }),
    ]);
    expect(
      engine.query(
        'SELECT (SELECT count() FROM otel.aicost_requests) AS requests, (SELECT sum(requests) FROM otel.aicost_rollup_daily) AS daily',
      ),
    ).toEqual([{ requests: '1', daily: '1' }]);
  });
});
