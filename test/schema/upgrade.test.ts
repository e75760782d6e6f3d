/**
 * Upgrades on the real engine: the schema as first released (read from git history, commit
 * RELEASE_1, files collector/sql/*.sql) with data in it, migrated to today's by
 * @aicost/schema's `migrate`. Every row, rollup total and view result must survive; a database
 * fresh from today's files and one upgraded from version 1 must be the same schema; a column
 * added through the manifest (columnMigration) must migrate with spans inserted between every
 * statement of the migration, losing none, and be filled for new spans.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  columnMigration,
  type MigrationFile,
  migrate as migrateSchema,
  REQUEST_COLUMNS,
  type RequestColumn,
  readMigrations,
  splitStatements,
  VERSION_1_OBJECTS,
} from '@aicost/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EngineSession,
  insertSpans,
  loadPriceRows,
  migrate,
  openEngine,
  runner,
} from '../support/chdb.js';
import { ALIASES, aicostCostAttributes, callSpan, PRICES } from './fixtures.js';

/** The last commit with the schema as first released (before @aicost/schema). */
const RELEASE_1 = '2537782';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function git(...args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The statements of release 1, in file order, exactly as released. */
function release1Statements(): string[] {
  const files = git('ls-tree', '--name-only', `${RELEASE_1}:collector/sql`)
    .split('\n')
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort();
  expect(files.length).toBe(9);
  return files.flatMap((file) => splitStatements(git('show', `${RELEASE_1}:collector/sql/${file}`)));
}

const START = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 30 * 3_600_000);
let nextSpan = 0;

/** Spans of every path: cost on the span, priced in SQL, unpriced (unknown model, no usage). */
function spans(count: number, extra: Record<string, string> = {}) {
  return Array.from({ length: count }, () => {
    const n = nextSpan++;
    const id = n.toString(16).padStart(16, '0');
    const kind = n % 4;
    return callSpan({
      start: new Date(START.getTime() + (n % 48) * 1_800_000 + n),
      spanId: id,
      traceId: id.padStart(32, 'a'),
      provider: 'openai',
      requestModel: kind === 2 ? 'no-such-model' : 'gpt-4o',
      usage:
        kind === 3 ? {} : { input: 1000 + n, output: 10 + (n % 7), cacheRead: n % 3 === 0 ? 500 : undefined },
      attributes: {
        'aicost.feature': ['search', 'chat', 'summary'][n % 3]!,
        'aicost.customer': `customer-${n % 5}`,
        ...(kind === 0 ? aicostCostAttributes({ total: `0.${String(n + 1).padStart(9, '0')}` }) : {}),
        ...extra,
      },
    });
  });
}

const ROLLUPS = [
  'aicost_rollup_hourly',
  'aicost_rollup_daily',
  'aicost_rollup_feature_daily',
  'aicost_rollup_customer_daily',
];
const VIEWS = [
  'aicost_cost_by_feature_daily',
  'aicost_cost_by_customer_daily',
  'aicost_unit_cost',
  'aicost_cache_savings',
  'aicost_unpriced_requests',
  'aicost_requests_repriced',
];

/** Every row, rollup total and view result, over the columns release 1 had. */
function snapshot(engine: EngineSession, database = 'otel') {
  const columns = (table: string) =>
    engine
      .query<{ name: string }>(
        `SELECT name FROM system.columns WHERE database = '${database}' AND table = '${table}' ORDER BY position`,
      )
      .map((c) => c.name);
  const requestColumns = v1RequestColumns ?? columns('aicost_requests');
  const rollups = Object.fromEntries(
    ROLLUPS.map((table) => {
      const all = engine.query<{ name: string; type: string }>(
        `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}' ORDER BY position`,
      );
      const sums = all.filter((c) => /^(UInt64|Decimal)/.test(c.type)).map((c) => c.name);
      const keys = all.map((c) => c.name).filter((name) => !sums.includes(name));
      return [
        table,
        engine.query(
          `SELECT ${keys.join(', ')}, ${sums.map((s) => `toString(sum(${s})) AS ${s}`).join(', ')}
           FROM ${database}.${table} GROUP BY ALL ORDER BY ALL`,
        ),
      ];
    }),
  );
  return {
    requests: engine.query(
      `SELECT ${requestColumns.join(', ')} FROM ${database}.aicost_requests ORDER BY trace_id, span_id`,
    ),
    rollups,
    views: Object.fromEntries(
      VIEWS.map((view) => [view, engine.query(`SELECT * FROM ${database}.${view} ORDER BY ALL`)]),
    ),
  };
}
let v1RequestColumns: string[] | undefined;

/** The schema's shape: columns (type, default, comment, codec) and object definitions, database name aside. */
function shape(engine: EngineSession, database: string) {
  const columns = engine.query(
    `SELECT table, name, type, default_kind, default_expression, comment, compression_codec, position
     FROM system.columns WHERE database = '${database}' AND table != 'aicost_schema_migrations' ORDER BY table, position`,
  );
  const objects = engine
    .query<{ name: string; engine: string; create_table_query: string }>(
      `SELECT name, engine, create_table_query FROM system.tables
       WHERE database = '${database}' AND name != 'aicost_schema_migrations' ORDER BY name`,
    )
    .map((t) => ({ ...t, create_table_query: t.create_table_query.replaceAll(`${database}.`, 'DB.') }));
  return { columns, objects };
}

describe('upgrading a database installed from the first release', () => {
  let engine: EngineSession;
  beforeEach(() => {
    engine = openEngine('aicost-upgrade-');
    v1RequestColumns = undefined;
  });
  afterEach(async () => {
    await engine?.close();
  });

  async function installRelease1() {
    for (const statement of release1Statements()) engine.exec(statement);
    await loadPriceRows(engine, PRICES, ALIASES);
    await insertSpans(engine, spans(200));
    v1RequestColumns = engine
      .query<{ name: string }>(
        "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'aicost_requests' ORDER BY position",
      )
      .map((c) => c.name);
  }

  it('knows what release 1 created (the list it checks before adopting a database)', async () => {
    await installRelease1();
    const created = engine
      .query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = 'otel' AND engine != 'View' ORDER BY name",
      )
      .map((t) => t.name);
    expect([...VERSION_1_OBJECTS].sort()).toEqual(created);
    // And the manifest holds release 1's request columns in their order, with the columns later
    // migrations add (each placed after its predecessor) between them.
    const addedLater = new Set(
      readMigrations().flatMap((m) =>
        [
          ...m.text.matchAll(
            /ALTER TABLE \{\{database\}\}\.aicost_requests\{\{local\}\}\S* ADD COLUMN IF NOT EXISTS (\w+)/g,
          ),
        ].map((match) => match[1]!),
      ),
    );
    expect(addedLater.size).toBeGreaterThan(0);
    expect(REQUEST_COLUMNS.map((c) => c.name).filter((name) => !addedLater.has(name))).toEqual(
      v1RequestColumns,
    );
  });

  // Two migrations and an ingest through the pricing view on the engine: as long as its sibling below.
  it('keeps every row, rollup total and view result, records version 1, and ingests on', {
    timeout: 120_000,
  }, async () => {
    await installRelease1();
    const before = snapshot(engine);
    expect(before.requests).toHaveLength(200);
    expect(before.views.aicost_unpriced_requests!.length).toBeGreaterThan(0);
    expect(before.views.aicost_cache_savings!.length).toBeGreaterThan(0);

    const result = await migrate(engine);
    expect(result).toMatchObject({ installed: false, adopted: true });
    expect(snapshot(engine)).toEqual(before);
    expect(
      engine.query('SELECT version, name FROM otel.aicost_schema_migrations FINAL ORDER BY version'),
    ).toEqual(readMigrations().map((m) => ({ version: m.version, name: m.name })));
    // Running it again changes nothing.
    expect(await migrate(engine)).toMatchObject({ installed: false, adopted: false, applied: [] });
    expect(snapshot(engine)).toEqual(before);

    await insertSpans(engine, spans(40));
    const [after] = engine.query<{ requests: string; hourly: string }>(
      'SELECT (SELECT count() FROM otel.aicost_requests) AS requests, (SELECT sum(requests) FROM otel.aicost_rollup_hourly) AS hourly',
    );
    expect(after).toEqual({ requests: '240', hourly: '240' });
  });

  it('judges a sent cost on an upgraded database as on a new one (migration 2, cost trust)', async () => {
    await installRelease1();
    await migrate(engine);
    // gpt-4o at 2.5 / 10 USD per 1M tokens: 1000 in + 100 out = 0.0035 USD in the catalogue.
    const call = {
      start: '2026-11-02 09:30:00',
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1000, output: 100 },
    };
    await insertSpans(engine, [
      callSpan({
        ...call,
        spanId: 'ab0000000000c051',
        attributes: aicostCostAttributes({
          total: '0.001750000',
          input: '0.001250000',
          output: '0.000500000',
        }),
      }),
      callSpan({
        ...call,
        spanId: 'ab0000000000c052',
        attributes: aicostCostAttributes({ total: '0.000000000' }),
      }),
    ]);
    expect(
      engine.query(
        "SELECT span_id, toString(cost_total) AS cost, cost_status_reason FROM otel.aicost_requests WHERE span_id IN ('ab0000000000c051', 'ab0000000000c052') ORDER BY span_id",
      ),
    ).toEqual([
      // Kept as sent: half the catalogue's price (a Batch-tier call), within the tolerance.
      { span_id: 'ab0000000000c051', cost: '0.00175', cost_status_reason: '' },
      // Zero for 1,100 tokens is refused and re-priced from the catalogue.
      { span_id: 'ab0000000000c052', cost: '0.0035', cost_status_reason: 'invalid_cost' },
    ]);
  });

  it('gives the schema a new database gets from the files (columns, types, comments, codecs, definitions)', {
    timeout: 120_000,
  }, async () => {
    await installRelease1();
    await migrate(engine);
    await migrate(engine, { database: 'fresh' });
    expect(shape(engine, 'otel')).toEqual(shape(engine, 'fresh'));
  });

  it('refuses a database that has aicost tables but is not release 1', async () => {
    await installRelease1();
    engine.exec('ALTER TABLE otel.aicost_requests DROP COLUMN response_id');
    engine.exec('DROP TABLE otel.aicost_rollup_daily_mv');
    await expect(migrate(engine)).rejects.toThrow(
      /not the schema of version 1: missing aicost_rollup_daily_mv; aicost_requests lacks response_id/,
    );
    // Nor, on a cluster, one without the local tables behind Distributed faces (the first
    // release's cluster script wrote Replicated tables under the plain names).
    await expect(migrate(engine, { layout: { kind: 'cluster', cluster: 'c' } })).rejects.toThrow(
      /not the schema of version 1: missing otel_traces_local, otel_traces_trace_id_ts_local, /,
    );
    expect(
      engine.query(
        "SELECT name FROM system.tables WHERE database = 'otel' AND name = 'aicost_schema_migrations'",
      ),
    ).toEqual([]);
  });
});

/** A column the manifest gains in a later release, in the middle of the list. */
const THROWAWAY: RequestColumn = {
  name: 'throwaway_release',
  type: 'LowCardinality(String)',
  comment: "a test column (it's thrown away)",
  span: "ResourceAttributes['service.version']",
};
const withThrowaway = (() => {
  const columns = [...REQUEST_COLUMNS];
  columns.splice(columns.findIndex((c) => c.name === 'team') + 1, 0, THROWAWAY);
  return columns;
})();
const throwawayMigration = (): MigrationFile => ({
  version: readMigrations().length + 1,
  name: 'add_throwaway_release',
  file: 'add_throwaway_release.sql',
  text: columnMigration([THROWAWAY.name], withThrowaway),
});

describe('a column added through the manifest', () => {
  let engine: EngineSession;
  beforeEach(() => {
    engine = openEngine('aicost-upgrade-');
  });
  afterEach(async () => {
    await engine?.close();
  });

  it('migrates release 1 with spans inserted between every statement: none lost, none doubled, new spans filled', {
    timeout: 180_000,
  }, async () => {
    for (const statement of release1Statements()) engine.exec(statement);
    await loadPriceRows(engine, PRICES, ALIASES);
    await insertSpans(engine, spans(100));
    v1RequestColumns = engine
      .query<{ name: string }>(
        "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'aicost_requests' ORDER BY position",
      )
      .map((c) => c.name);
    const release = { 'service.version': '2.0.0' };
    let during = 0;
    const run = runner(engine);
    const ddl: string[] = [];
    await migrateSchema(
      async (sql) => {
        // Around every statement of the migration itself (the column changes, the view
        // refreshes, the ledger record); not around the idempotent schema files after it.
        if (
          /throwaway_release|MODIFY QUERY|aicost_schema_migrations/.test(sql) &&
          !sql.startsWith('SELECT')
        ) {
          // What the collector keeps writing while the schema changes.
          const batch = spans(3).map((span) => ({ ...span, resource: { ...span.resource, ...release } }));
          await insertSpans(engine, batch);
          during += batch.length;
          ddl.push(sql.split('\n')[0]!);
        }
        return run(sql);
      },
      { requestColumns: withThrowaway, extraMigrations: [throwawayMigration()] },
    );
    // The inserts did interleave with the column changes and the view refreshes.
    expect(ddl.filter((s) => s.includes('ADD COLUMN IF NOT EXISTS throwaway_release'))).toHaveLength(3);
    expect(ddl.filter((s) => s.includes('MODIFY QUERY'))).toHaveLength(4);
    const afterSpans = spans(20).map((span) => ({ ...span, resource: { ...span.resource, ...release } }));
    await insertSpans(engine, afterSpans);

    const total = 100 + during + 20;
    const [counts] = engine.query<Record<string, string>>(`SELECT
        (SELECT count() FROM otel.otel_traces) AS traces,
        (SELECT count() FROM otel.aicost_requests) AS requests,
        (SELECT uniqExact(trace_id, span_id) FROM otel.aicost_requests) AS distinct_requests,
        (SELECT sum(requests) FROM otel.aicost_rollup_hourly) AS hourly,
        (SELECT sum(requests) FROM otel.aicost_rollup_daily) AS daily,
        (SELECT countIf(throwaway_release = '2.0.0') FROM otel.aicost_requests) AS filled,
        (SELECT countIf(throwaway_release = '') FROM otel.aicost_requests) AS empty`);
    expect(counts).toMatchObject({
      traces: String(total),
      requests: String(total),
      distinct_requests: String(total),
      hourly: String(total),
      daily: String(total),
    });
    // Every span inserted after the migration has the column; the first 100 (no such
    // attribute then) have the default; spans inserted while it ran have one or the other.
    const [fromAfter] = engine.query<{ n: string }>(
      `SELECT count() AS n FROM otel.aicost_requests WHERE throwaway_release = '2.0.0' AND span_id IN (${afterSpans
        .map((s) => `'${s.spanId}'`)
        .join(', ')})`,
    );
    expect(fromAfter!.n).toBe('20');
    expect(Number(counts!.filled) + Number(counts!.empty)).toBe(total);
    expect(Number(counts!.filled)).toBeGreaterThanOrEqual(20);

    // The upgraded schema is the one a new database gets with the new manifest.
    await migrateSchema(run, {
      database: 'fresh',
      requestColumns: withThrowaway,
      extraMigrations: [throwawayMigration()],
    });
    expect(shape(engine, 'otel')).toEqual(shape(engine, 'fresh'));
  });
});

describe('the migrations ledger', () => {
  let engine: EngineSession;
  beforeEach(() => {
    engine = openEngine('aicost-ledger-');
  });
  afterEach(async () => {
    await engine?.close();
  });

  it('refuses a migration changed after it was applied, before running anything', async () => {
    const migration = throwawayMigration();
    await migrate(engine, { requestColumns: withThrowaway, extraMigrations: [migration] });
    const edited = { ...migration, text: migration.text.replace("COMMENT 'a test", "COMMENT 'an edited") };
    const ddl: string[] = [];
    const run = runner(engine);
    await expect(
      migrateSchema(
        (sql) => {
          if (!sql.startsWith('SELECT')) ddl.push(sql);
          return run(sql);
        },
        { requestColumns: withThrowaway, extraMigrations: [edited] },
      ),
    ).rejects.toThrow(
      new RegExp(
        `migration ${migration.version} \\(add_throwaway_release\\) was changed after it was applied`,
      ),
    );
    expect(ddl).toEqual([]);
    // A comment-only edit is not a change.
    const reworded = { ...migration, text: `-- reworded\n${migration.text}` };
    await migrate(engine, { requestColumns: withThrowaway, extraMigrations: [reworded] });
  });

  it('refuses a database that is at a version this release does not know', async () => {
    const migration = throwawayMigration();
    await migrate(engine, { requestColumns: withThrowaway, extraMigrations: [migration] });
    await expect(migrate(engine)).rejects.toThrow(
      new RegExp(
        `has migration ${migration.version} \\(add_throwaway_release\\), which this aicost does not know`,
      ),
    );
  });
});
