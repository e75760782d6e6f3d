/**
 * Versioned migrations over the schema files.
 *
 * - `sql/*.sql` is the schema as it is now; every statement is idempotent (IF NOT EXISTS /
 *   OR REPLACE), so applying the files again creates what is new and replaces plain views
 *   and functions, and changes nothing else.
 * - `migrations/NNNN_name.sql` are the changes the files cannot express that way: columns
 *   added to existing tables (`ALTER TABLE ... ADD COLUMN IF NOT EXISTS`), and the
 *   materialized views that must then read or write them (`-- @refresh <view> ...`: brought
 *   to their definition in the schema files by `ALTER TABLE <view> MODIFY QUERY`, after every
 *   pending migration's table changes, downstream views first).
 * - The ledger `aicost_schema_migrations` records what ran (version, name, checksum, time).
 *
 * `migrate`: a new database gets the schema files and every migration recorded; a database
 * from before migrations is checked against version 1 and recorded as version 1; then the
 * pending migrations' table changes apply in order, then the schema files again (new
 * functions, tables and plain views), then the materialized views they name are refreshed. A recorded migration whose
 * file changed since (checksum) stops everything before any statement runs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_SUFFIX, SHARDED_TABLES, SINGLE } from './layout.js';
import { REQUEST_COLUMNS } from './request-columns.js';
import {
  DEFAULT_DATABASE,
  MIGRATIONS_DIR,
  numberedFiles,
  readSchema,
  renderStatements,
  type SchemaFile,
  type SchemaOptions,
} from './schema.js';
import { splitStatements } from './statements.js';

/**
 * Runs one statement; for a query it must return the output text (the migrator's queries ask
 * for `FORMAT JSONEachRow`). What it returns for other statements is ignored.
 */
export type RunStatement = (sql: string) => unknown;

export const LEDGER_TABLE = 'aicost_schema_migrations';

export interface MigrationFile {
  version: number;
  /** e.g. `add_service_version` for `0002_add_service_version.sql`. */
  name: string;
  file: string;
  /** The file's text, a template like the schema files. */
  text: string;
}

export interface Migration extends MigrationFile {
  /** sha256 (hex) of the statements and refresh list as written, comments dropped. */
  checksum: string;
  /** Materialized views to bring to their schema-file definition once table changes are done. */
  refresh: string[];
}

export interface MigrationOptions extends SchemaOptions {
  /** Where the migration files are; default this package's `migrations/`. */
  migrationsDir?: string;
  /** Extra migrations after the files' (tests: a generated one not written to disk). */
  extraMigrations?: readonly MigrationFile[];
  /** Told before each step, for progress output. */
  onStep?: (step: string) => void;
}

const REFRESH = /^--\s*@refresh\s+(.+)$/gm;

export function parseMigration(file: MigrationFile): Migration {
  const refresh = [...file.text.matchAll(REFRESH)].flatMap((match) => match[1]!.trim().split(/[\s,]+/));
  const statements = splitStatements(file.text);
  const checksum = createHash('sha256').update(JSON.stringify({ statements, refresh })).digest('hex');
  return { ...file, checksum, refresh };
}

/** The migrations, in version order; numbers must be unique and start at 1 without gaps. */
export function readMigrations(options: MigrationOptions = {}): Migration[] {
  const dir = options.migrationsDir ?? MIGRATIONS_DIR;
  const files: MigrationFile[] = numberedFiles(dir).map((file) => {
    const match = /^(\d{4})_([\w-]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file name must be NNNN_name.sql: ${file}`);
    return { version: Number(match[1]), name: match[2]!, file, text: readFileSync(join(dir, file), 'utf8') };
  });
  const migrations = [...files, ...(options.extraMigrations ?? [])].map(parseMigration);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration ${migration.file}: expected version ${index + 1} (no gaps, no duplicates)`);
  });
  return migrations;
}

/** The columns a migration adds to the request table (to tell version 1's columns from later ones). */
function columnsAddedTo(table: string, migration: Migration): string[] {
  const pattern = new RegExp(
    `ALTER TABLE \\{\\{database\\}\\}\\.${table}(?:\\{\\{local\\}\\})?(?:\\{\\{on_cluster\\}\\})? ADD COLUMN IF NOT EXISTS (\\w+)`,
    'g',
  );
  return [...migration.text.matchAll(pattern)].map((match) => match[1]!);
}

/**
 * What version 1 created, checked before a database without a ledger is recorded as version
 * 1. test/schema/upgrade.test.ts checks this list against the released files.
 */
export const VERSION_1_OBJECTS: readonly string[] = [
  'otel_traces',
  'otel_traces_trace_id_ts',
  'otel_traces_trace_id_ts_mv',
  'otel_metrics_gauge',
  'otel_metrics_sum',
  'otel_metrics_summary',
  'otel_metrics_histogram',
  'otel_metrics_exponential_histogram',
  'aicost_prices',
  'aicost_price_aliases',
  'aicost_requests',
  'aicost_spans',
  'aicost_spans_to_price',
  'aicost_spans_mv',
  'aicost_requests_recorded_mv',
  'aicost_spans_to_price_mv',
  'aicost_requests_priced_mv',
  'aicost_rollup_hourly',
  'aicost_rollup_hourly_mv',
  'aicost_rollup_daily',
  'aicost_rollup_daily_mv',
  'aicost_rollup_feature_daily',
  'aicost_rollup_feature_daily_mv',
  'aicost_rollup_customer_daily',
  'aicost_rollup_customer_daily_mv',
];

export interface MigrationState {
  version: number;
  name: string;
  /** `applied`; `pending`; `changed` (recorded with another checksum); `unknown` (recorded, no such file). */
  state: 'applied' | 'pending' | 'changed' | 'unknown';
  checksum: string;
  recordedChecksum?: string;
  appliedAt?: string;
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

function rows<T>(output: unknown): T[] {
  // Without the output, a database with the schema would look empty and be "installed" again.
  if (typeof output !== 'string') throw new Error('the statement runner returned no query output (a string)');
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function literal(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

class Migrator {
  readonly database: string;
  readonly files: SchemaFile[];
  readonly migrations: Migration[];

  constructor(
    private readonly run: RunStatement,
    private readonly options: MigrationOptions,
  ) {
    this.database = options.database ?? DEFAULT_DATABASE;
    this.files = readSchema(options);
    this.migrations = readMigrations(options);
  }

  private async exec(statement: string, context: string): Promise<unknown> {
    try {
      return await this.run(statement);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${context}: ${reason}`, { cause: error });
    }
  }

  private async query<T>(sql: string): Promise<T[]> {
    return rows<T>(await this.exec(`${sql}\nFORMAT JSONEachRow`, 'reading the schema state'));
  }

  async tables(): Promise<Set<string>> {
    const found = await this.query<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = ${literal(this.database)}`,
    );
    return new Set(found.map((row) => row.name));
  }

  async ledger(): Promise<LedgerRow[]> {
    if (!(await this.tables()).has(LEDGER_TABLE)) return [];
    return this.query<LedgerRow>(
      `SELECT version, name, checksum, toString(applied_at) AS applied_at FROM ${this.database}.${LEDGER_TABLE} FINAL ORDER BY version`,
    );
  }

  async status(): Promise<MigrationState[]> {
    const recorded = new Map((await this.ledger()).map((row) => [Number(row.version), row]));
    const states: MigrationState[] = this.migrations.map((migration) => {
      const row = recorded.get(migration.version);
      recorded.delete(migration.version);
      if (!row)
        return {
          version: migration.version,
          name: migration.name,
          state: 'pending',
          checksum: migration.checksum,
        };
      return {
        version: migration.version,
        name: migration.name,
        state: row.checksum === migration.checksum ? 'applied' : 'changed',
        checksum: migration.checksum,
        recordedChecksum: row.checksum,
        appliedAt: row.applied_at,
      };
    });
    for (const row of recorded.values()) {
      states.push({
        version: Number(row.version),
        name: row.name,
        state: 'unknown',
        checksum: '',
        recordedChecksum: row.checksum,
        appliedAt: row.applied_at,
      });
    }
    return states;
  }

  private async applyFiles(context: string): Promise<number> {
    let count = 0;
    for (const file of this.files) {
      this.options.onStep?.(`${context}: ${file.name} (${file.statements.length} statements)`);
      for (const [index, statement] of file.statements.entries()) {
        await this.exec(statement, `${file.name}, statement ${index + 1}`);
        count++;
      }
    }
    return count;
  }

  private async record(migrations: readonly Migration[]): Promise<void> {
    if (migrations.length === 0) return;
    const values = migrations
      .map((m) => `(${m.version}, ${literal(m.name)}, ${literal(m.checksum)})`)
      .join(', ');
    await this.exec(
      `INSERT INTO ${this.database}.${LEDGER_TABLE} (version, name, checksum) VALUES ${values}`,
      'recording the migrations',
    );
  }

  /** A database from before migrations: is it what version 1 created? */
  private async checkVersion1(tables: Set<string>): Promise<void> {
    // In a cluster, version 1's sharded tables are the `_local` ones (a cluster made with the
    // first release's own cluster script has no Distributed faces: not this layout, refused).
    const local = this.options.layout?.kind === 'cluster' ? LOCAL_SUFFIX : '';
    const stored = (name: string) => (name in SHARDED_TABLES ? name + local : name);
    const missing = VERSION_1_OBJECTS.filter((name) => !tables.has(stored(name))).map(stored);
    const laterColumns = new Set(this.migrations.flatMap((m) => columnsAddedTo('aicost_requests', m)));
    const expected = (this.options.requestColumns ?? REQUEST_COLUMNS)
      .map((column) => column.name)
      .filter((name) => !laterColumns.has(name));
    const present = new Set(
      (
        await this.query<{ name: string }>(
          `SELECT name FROM system.columns WHERE database = ${literal(this.database)} AND table = 'aicost_requests${local}'`,
        )
      ).map((row) => row.name),
    );
    const missingColumns = expected.filter((name) => !present.has(name));
    if (missing.length > 0 || missingColumns.length > 0) {
      throw new Error(
        `database ${this.database} has aicost tables but no ${LEDGER_TABLE} table, and is not the schema of version 1: ` +
          [
            missing.length > 0 ? `missing ${missing.join(', ')}` : '',
            missingColumns.length > 0 ? `aicost_requests lacks ${missingColumns.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ') +
          '. Restore it, or migrate it into a new database.',
      );
    }
  }

  /** `ALTER TABLE <view> MODIFY QUERY <its SELECT in the schema files>`. */
  private refreshStatement(view: string): string {
    for (const file of this.files) {
      for (const statement of file.statements) {
        const match =
          /^CREATE MATERIALIZED VIEW IF NOT EXISTS "?(\w+)"?\."?(\w+)"?((?: ON CLUSTER \w+)?)\s+TO \S+\s+AS\s+([\s\S]+)$/.exec(
            statement,
          );
        if (match && match[2] === view)
          return `ALTER TABLE ${this.database}.${view}${match[3]} MODIFY QUERY\n${match[4]}`;
      }
    }
    throw new Error(`@refresh ${view}: no materialized view of that name in the schema files`);
  }

  /** Position of a view in the schema files (creation order: upstream first). */
  private order(view: string): number {
    const all = this.files.flatMap((file) => file.statements);
    return all.findIndex((statement) =>
      new RegExp(`^CREATE MATERIALIZED VIEW IF NOT EXISTS "?\\w+"?\\."?${view}"?[\\s(]`).test(statement),
    );
  }

  async migrate(): Promise<MigrateResult> {
    const before = await this.status();
    const broken = before.filter((s) => s.state === 'changed' || s.state === 'unknown');
    if (broken.length > 0) {
      throw new Error(
        broken
          .map((s) =>
            s.state === 'changed'
              ? `migration ${s.version} (${s.name}) was changed after it was applied (recorded checksum ${s.recordedChecksum}, file ${s.checksum}): restore the file and put the change in a new migration`
              : `database ${this.database} has migration ${s.version} (${s.name}), which this aicost does not know: it is newer than this release`,
          )
          .join('\n'),
      );
    }
    const tables = await this.tables();
    const hasLedger = tables.has(LEDGER_TABLE);
    const hasSchema = tables.has('aicost_requests') || tables.has(`aicost_requests${LOCAL_SUFFIX}`);
    const applied = before.filter((s) => s.state === 'applied').map((s) => s.version);

    if (applied.length === 0 && !(hasSchema && !hasLedger)) {
      // A new database (or one whose first migrate stopped before recording): the files are
      // the current schema, every migration included.
      const statements = await this.applyFiles('schema');
      await this.record(this.migrations);
      return { installed: true, adopted: false, applied: this.migrations.map((m) => m.version), statements };
    }

    let adopted = false;
    if (!hasLedger) {
      await this.checkVersion1(tables);
      const ledgerFile = this.files.find((file) => file.name === '000_schema_migrations.sql');
      for (const statement of ledgerFile?.statements ?? []) await this.exec(statement, ledgerFile!.name);
      await this.record(this.migrations.filter((m) => m.version === 1));
      applied.push(1);
      adopted = true;
    }

    const pending = this.migrations.filter((m) => !applied.includes(m.version));
    let statements = 0;
    const opts = { ...this.options, database: this.database, layout: this.options.layout ?? SINGLE };
    for (const migration of pending) {
      this.options.onStep?.(`migration ${migration.version} (${migration.name})`);
      for (const [index, statement] of renderStatements(migration.text, opts, migration.file).entries()) {
        await this.exec(statement, `${migration.file}, statement ${index + 1}`);
        statements++;
      }
    }
    // The schema files before the refreshes: a refreshed view may call a function or read a
    // table that only the current files create (every file statement is idempotent).
    statements += await this.applyFiles('schema');
    const refresh = [...new Set(pending.flatMap((m) => m.refresh))].sort(
      (a, b) => this.order(b) - this.order(a),
    );
    for (const view of refresh) {
      this.options.onStep?.(`refresh ${view}`);
      await this.exec(this.refreshStatement(view), `refreshing ${view}`);
      statements++;
    }
    await this.record(pending);
    return { installed: false, adopted, applied: pending.map((m) => m.version), statements };
  }
}

export interface MigrateResult {
  /** A new database: the schema files applied, every migration recorded. */
  installed: boolean;
  /** A database from before migrations, recorded as version 1. */
  adopted: boolean;
  /** The versions recorded by this run. */
  applied: number[];
  /** How many statements ran. */
  statements: number;
}

/** Brings the database to the current schema (see the module comment). */
export function migrate(run: RunStatement, options: MigrationOptions = {}): Promise<MigrateResult> {
  return new Migrator(run, options).migrate();
}

/** Every migration with its state in the database, plus recorded ones this release lacks. */
export function migrationStatus(
  run: RunStatement,
  options: MigrationOptions = {},
): Promise<MigrationState[]> {
  return new Migrator(run, options).status();
}
