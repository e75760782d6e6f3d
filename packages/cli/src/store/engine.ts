/**
 * The embedded engine (chDB) on a data directory: opened once per process
 * (chDB allows one process per directory), schema applied at open.
 *
 * The engine runs as clickhouse-local, whose only access controls that work
 * (checked on chDB 3.4 / engine 26.7) are the users file's grants and the
 * settings profile's constraints, given through `--config-file`; CREATE USER,
 * EXECUTE AS and `access_control_improvements` (so `changeable_in_readonly`)
 * are not available. So every connection in the process is the one `default`
 * user, configured here as:
 * - every grant except SOURCES (file, url, s3, remote, mysql, ... table
 *   functions and engines), INTROSPECTION and BACKUP: the engine refuses
 *   `SELECT * FROM file('/etc/passwd')` on any connection;
 * - settings that name files (format schemas, templates) are `const`;
 * - the per-query limits of reads (memory, time, result size) may be set
 *   only within [1, limit], so nothing can lift them to 0 (= unlimited).
 * What grants cannot stop (the scalar `file()` function and `INTO OUTFILE`,
 * which clickhouse-local does not check against grants) is refused before the
 * statement runs, from the engine's own parse of it (see server/read-guard.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type MigrateResult, migrate } from '@aicost/schema';
import { type ChdbResult, Session } from 'chdb';
import { SESSION_SETTINGS } from './session-settings.js';

export type { ChdbResult };

export interface QueryOptions {
  format?: string;
  params?: Record<string, unknown>;
}

/** Bounds on every read-only query (the engine's own per-query limits). */
export interface ReadLimits {
  /** max_memory_usage, bytes. */
  maxMemoryBytes: number;
  /** max_execution_time, seconds. */
  maxExecutionSeconds: number;
  /** max_result_bytes, bytes of the result before formatting. */
  maxResultBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxMemoryBytes: 2 * 1024 ** 3,
  maxExecutionSeconds: 60,
  maxResultBytes: 512 * 1024 ** 2,
};

/** Settings that name files the engine would read or write. */
const FILE_NAMING_SETTINGS = [
  'format_schema',
  'format_schema_source',
  'output_format_schema',
  'format_template_row',
  'format_template_resultset',
  'format_template_row_format',
  'format_template_resultset_format',
  'into_outfile_create_parent_directories',
  'allow_introspection_functions',
];

function limitSettings(limits: ReadLimits): Record<string, number> {
  return {
    max_memory_usage: limits.maxMemoryBytes,
    max_execution_time: limits.maxExecutionSeconds,
    max_result_bytes: limits.maxResultBytes,
  };
}

/** The users file: one `default` user without SOURCES, with constraints. */
function usersXml(limits: ReadLimits): string {
  const constraints = [
    ...FILE_NAMING_SETTINGS.map((name) => `<${name}><const/></${name}>`),
    ...Object.entries(limitSettings(limits)).map(
      ([name, max]) => `<${name}><min>1</min><max>${max}</max></${name}>`,
    ),
  ].join('\n        ');
  return `<clickhouse>
  <profiles>
    <default>
      <constraints>
        ${constraints}
      </constraints>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
      <grants>
        <query>GRANT ALL ON *.*</query>
        <query>REVOKE SOURCES ON *.*</query>
        <query>REVOKE INTROSPECTION ON *.*</query>
        <query>REVOKE BACKUP ON *.*</query>
      </grants>
    </default>
  </users>
  <quotas><default></default></quotas>
</clickhouse>
`;
}

/** Writes the engine configuration into the data directory; returns the config file's path. */
function writeEngineConfig(dir: string, limits: ReadLimits): string {
  const confDir = join(dir, 'engine-config');
  mkdirSync(confDir, { recursive: true, mode: 0o700 });
  const users = join(confDir, 'users.xml');
  const config = join(confDir, 'config.xml');
  writeFileSync(users, usersXml(limits), { mode: 0o600 });
  writeFileSync(config, `<clickhouse>\n  <users_config>${users}</users_config>\n</clickhouse>\n`, {
    mode: 0o600,
  });
  return config;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export interface ReadOnlyQueryOptions extends QueryOptions {
  /** Database for unqualified names (quoted here). */
  database?: string;
  /** Client settings (already allow-listed and validated by the caller), applied before readonly. */
  settings?: Record<string, string>;
  /**
   * Called with the engine's parse of the statement before it runs: its
   * canonical text (`formatQuerySingleLine`: exactly one statement, escapes
   * resolved) and that text's `EXPLAIN AST` (one node per line). Throw to
   * refuse it; what runs is the canonical text.
   */
  check?: (ast: string, canonical: string) => void;
}

/**
 * `formatQuerySingleLine` of the statement: exactly one statement, escapes
 * resolved. The statement travels as a string value, so the engine parses it
 * as one statement only (a second one after a `;` is a syntax error there,
 * where the engine would otherwise run it).
 */
async function canonicalText(session: Session, sql: string): Promise<string> {
  const result = await session.queryBindAsync(
    'SELECT formatQuerySingleLine({statement:String})',
    { statement: sql },
    { format: 'TabSeparatedRaw' },
  );
  return result.text().replace(/\n$/, '');
}

export class LocalEngine {
  private constructor(
    readonly dataDir: string,
    private readonly session: Session,
    readonly readLimits: ReadLimits,
  ) {}

  /** Opens (or creates) the store in `dataDir` and applies the schema files. */
  static async open(
    dataDir: string,
    opts: { applySchema?: boolean; readLimits?: ReadLimits } = {},
  ): Promise<LocalEngine> {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    const readLimits = opts.readLimits ?? DEFAULT_READ_LIMITS;
    let session: Session;
    try {
      session = new Session(dir, { connectionArgs: [`--config-file=${writeEngineConfig(dir, readLimits)}`] });
    } catch (err) {
      throw new Error(
        `cannot open the store in ${dir}: ${(err as Error).message} (is another aicost process using it?)`,
        { cause: err },
      );
    }
    const engine = new LocalEngine(dir, session, readLimits);
    for (const [name, value] of Object.entries(SESSION_SETTINGS))
      await session.queryAsync(`SET ${name} = ${value}`);
    if (opts.applySchema !== false) await engine.migrate();
    return engine;
  }

  /** Brings the store to the current schema (@aicost/schema's migrations). */
  async migrate(): Promise<MigrateResult> {
    return migrate(async (statement) => (await this.session.queryAsync(statement)).text());
  }

  query(sql: string, opts: QueryOptions = {}): Promise<ChdbResult> {
    const format = opts.format ?? 'TabSeparated';
    if (opts.params && Object.keys(opts.params).length > 0) {
      return this.session.queryBindAsync(sql, opts.params, { format });
    }
    return this.session.queryAsync(sql, { format });
  }

  /**
   * Runs one statement on a connection of its own, never the shared one that
   * ingestion writes through: the session settings, the database, the read
   * limits and the caller's settings are set, then `readonly = 1` (from then
   * on the engine refuses any write and any settings change, including a
   * SETTINGS clause), then `check` sees the engine's parse of the statement,
   * then the engine's canonical text of it runs. The connection is closed afterwards.
   */
  async queryReadOnly(sql: string, opts: ReadOnlyQueryOptions = {}): Promise<ChdbResult> {
    const session = new Session(this.dataDir);
    try {
      const setup = [
        ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `SET ${name} = ${value}`),
        ...(opts.database ? [`USE ${quoteIdentifier(opts.database)}`] : []),
        ...Object.entries(limitSettings(this.readLimits)).map(([name, value]) => `SET ${name} = ${value}`),
        ...Object.entries(opts.settings ?? {}).map(([name, value]) => `SET ${name} = ${value}`),
        'SET readonly = 1',
      ];
      await session.queryAsync(setup.join(';\n'));
      const params = opts.params && Object.keys(opts.params).length > 0 ? opts.params : undefined;
      const run = (text: string, format: string) =>
        params ? session.queryBindAsync(text, params, { format }) : session.queryAsync(text, { format });
      if (!opts.check) return await run(sql, opts.format ?? 'TabSeparated');
      const canonical = await canonicalText(session, sql);
      opts.check((await run(`EXPLAIN AST ${canonical}`, 'TabSeparated')).text(), canonical);
      return await run(canonical, opts.format ?? 'TabSeparated');
    } finally {
      session.close();
    }
  }

  /**
   * The engine's parse of one statement, for a guard to judge before the
   * statement runs elsewhere: its canonical text and that text's `EXPLAIN AST`.
   * Parsed on a connection of its own, which nothing else uses; more than one
   * statement is a syntax error there. Not read-only: `EXPLAIN AST` runs
   * nothing, but applies a statement's SETTINGS clause (a view's
   * `join_use_nulls`), which read-only refuses.
   */
  async parseStatement(sql: string): Promise<{ canonical: string; ast: string }> {
    const session = new Session(this.dataDir);
    try {
      const canonical = await canonicalText(session, sql);
      const ast = (await session.queryAsync(`EXPLAIN AST ${canonical}`, { format: 'TabSeparated' })).text();
      return { canonical, ast };
    } finally {
      session.close();
    }
  }

  /** Inserts JSONEachRow text; resolves once the engine has written it. */
  async insertJsonRows(table: string, rows: string | Buffer): Promise<void> {
    await this.session.insert({ table, values: rows, format: 'JSONEachRow' });
  }

  close(): void {
    this.session.close();
  }
}
