/**
 * The embedded engine (chDB) on a data directory: opened once per process
 * (chDB allows one process per directory), schema applied at open.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type MigrateResult, migrate } from '@aicost/schema';
import { type ChdbResult, Session } from 'chdb';
import { SESSION_SETTINGS } from './session-settings.js';

export type { ChdbResult };

export interface QueryOptions {
  format?: string;
  params?: Record<string, unknown>;
}

export class LocalEngine {
  private constructor(
    readonly dataDir: string,
    private readonly session: Session,
  ) {}

  /** Opens (or creates) the store in `dataDir` and applies the schema files. */
  static async open(dataDir: string, opts: { applySchema?: boolean } = {}): Promise<LocalEngine> {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    let session: Session;
    try {
      session = new Session(dir);
    } catch (err) {
      throw new Error(
        `cannot open the store in ${dir}: ${(err as Error).message} (is another aicost process using it?)`,
        { cause: err },
      );
    }
    const engine = new LocalEngine(dir, session);
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
   * Runs one statement on a connection of its own that the engine holds
   * read-only (`readonly = 1`: no writes, no settings changes, no table
   * functions that reach files, URLs or other servers). `setup` statements
   * (`USE db`, `SET name = value`) run first, before the connection becomes
   * read-only; nothing the statement says can lift it, and the connection is
   * closed afterwards, so the shared session never changes.
   */
  async queryReadOnly(sql: string, opts: QueryOptions & { setup?: string[] } = {}): Promise<ChdbResult> {
    const session = new Session(this.dataDir);
    try {
      const setup = [
        ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `SET ${name} = ${value}`),
        ...(opts.setup ?? []),
        'SET readonly = 1',
      ];
      await session.queryAsync(setup.join(';\n'));
      const format = opts.format ?? 'TabSeparated';
      if (opts.params && Object.keys(opts.params).length > 0) {
        return await session.queryBindAsync(sql, opts.params, { format });
      }
      return await session.queryAsync(sql, { format });
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
