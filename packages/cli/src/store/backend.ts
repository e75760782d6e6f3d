/**
 * Where `report`, `sql` and `migrate` send their SQL: a ClickHouse server
 * (`--clickhouse-url`), the running `aicost up` that owns the data directory
 * (through its ClickHouse HTTP interface), or the data directory opened
 * directly. The same SQL runs on all three.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { type ParsedArgs, str } from '../args.js';
import { DEFAULT_DATA_DIR, findRunningCollector } from '../runtime.js';
import { readCredential } from '../server/access.js';
import type { LocalEngine } from './engine.js';

export interface SqlBackend {
  /** For messages: where the SQL runs. */
  readonly description: string;
  /** Runs one statement; its output in `format` unless the SQL names a FORMAT itself. */
  run(sql: string, format?: string, params?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

class RemoteBackend implements SqlBackend {
  constructor(
    private readonly client: ClickHouseClient,
    readonly description: string,
  ) {}

  async run(sql: string, format = 'TabSeparated', params?: Record<string, string>): Promise<string> {
    try {
      const result = await this.client.exec({
        query: sql,
        query_params: params,
        clickhouse_settings: { default_format: format } as Record<string, string>,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      throw serverError(err);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * The client parses `Code: 47. DB::Exception: <text> (NAME) (version ...)` into code, text and
 * name; put them back together so a server's failure reads like the embedded engine's.
 */
function serverError(err: unknown): unknown {
  if (!(err instanceof ClickHouseError)) return err;
  return new Error(`Code: ${err.code}. DB::Exception: ${err.message.trimEnd()} (${err.type})`, {
    cause: err,
  });
}

class LocalBackend implements SqlBackend {
  constructor(private readonly engine: LocalEngine) {}

  get description(): string {
    return `the store in ${this.engine.dataDir}`;
  }

  async run(sql: string, format = 'TabSeparated', params?: Record<string, string>): Promise<string> {
    return (await this.engine.query(sql, { format, params })).text();
  }

  async close(): Promise<void> {
    this.engine.close();
  }
}

export const connectionOptions = {
  'clickhouse-url': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  database: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export function remoteBackend(url: string, user?: string, password?: string, database?: string): SqlBackend {
  const client = createClient({
    url,
    username: user ?? 'default',
    password: password ?? '',
    database,
    // The client's own logger prints each failed request with a stack trace; the CLI
    // reports the server's message once (cli.ts), so it stays silent.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new RemoteBackend(client, url);
}

/**
 * Picks the backend: `--clickhouse-url` (or CLICKHOUSE_URL) first, then the
 * collector running on the data directory, then the directory itself.
 */
export async function openBackend(args: ParsedArgs, opts: { create?: boolean } = {}): Promise<SqlBackend> {
  const url = str(args, 'clickhouse-url') ?? process.env.CLICKHOUSE_URL;
  if (url) {
    return remoteBackend(
      url,
      str(args, 'user') ?? process.env.CLICKHOUSE_USER,
      str(args, 'password') ?? process.env.CLICKHOUSE_PASSWORD,
      // The schema's statements name their database; a database to create cannot be the
      // connection's default yet.
      opts.create ? undefined : str(args, 'database'),
    );
  }
  const dataDir = str(args, 'data-dir') ?? DEFAULT_DATA_DIR;
  const running = findRunningCollector(dataDir);
  if (running) {
    const host = running.host === '0.0.0.0' ? '127.0.0.1' : running.host;
    // The collector's credential is kept in the directory it owns (mode 0600): whoever may read the store
    // directly may read it through the collector.
    const credential = readCredential(dataDir);
    return remoteBackend(
      `http://${host}:${running.clickhousePort}`,
      str(args, 'user') ?? credential?.user,
      str(args, 'password') ?? process.env.CLICKHOUSE_PASSWORD ?? credential?.password,
    );
  }
  if (!opts.create && !existsSync(resolve(dataDir))) {
    throw new Error(
      `no aicost store in ${resolve(dataDir)}: start \`aicost up\`, pass --data-dir, or --clickhouse-url for a server`,
    );
  }
  // Loaded here only: a ClickHouse URL or a running collector needs no native engine, so
  // migrate/report/sql work where the chdb addon is not installed (a container, another platform).
  const { LocalEngine } = await import('./engine.js');
  // The schema is applied by `aicost up` and `aicost migrate`, not on every query.
  return new LocalBackend(await LocalEngine.open(dataDir, { applySchema: false }));
}
