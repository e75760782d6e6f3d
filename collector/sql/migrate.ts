/**
 * Reads and applies the schema files of this folder.
 *
 * The format is plain ClickHouse SQL so that `clickhouse-client --multiquery`, the
 * ClickHouse image's `/docker-entrypoint-initdb.d/` and this reader agree:
 * - files named `NNN_name.sql`, applied in lexical order;
 * - a statement ends with a line whose last non-blank character is `;`;
 * - lines starting with `--` are comments and are dropped;
 * - no placeholders (the database is `otel`); every statement is idempotent.
 *
 * No engine dependency: `applyMigrations` takes any function that runs one statement,
 * so the CLI (HTTP client or embedded chDB) and the tests share it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder: where the `.sql` files live next to this module. */
export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));

export interface Migration {
  /** File name, e.g. `020_requests.sql`. */
  file: string;
  /** The statements, in order, without comments and without the final `;`. */
  statements: string[];
}

/** Splits one schema file into statements (see the format above). */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (line.trimStart().startsWith('--')) continue;
    current.push(line);
    if (line.trimEnd().endsWith(';')) {
      const text = current.join('\n').trim().replace(/;$/, '').trim();
      if (text !== '') statements.push(text);
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest !== '') throw new Error(`statement without a terminating ';': ${rest.slice(0, 80)}`);
  return statements;
}

/** All schema files of `dir`, in the order they must be applied. */
export function readMigrations(dir: string = SCHEMA_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ file, statements: splitStatements(readFileSync(join(dir, file), 'utf8')) }));
}

/** Runs every statement of every file in order; stops at the first failure, naming the file. */
export async function applyMigrations(
  execute: (statement: string) => unknown | Promise<unknown>,
  dir: string = SCHEMA_DIR,
): Promise<Migration[]> {
  const migrations = readMigrations(dir);
  for (const migration of migrations) {
    for (const [index, statement] of migration.statements.entries()) {
      try {
        await execute(statement);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`${migration.file}, statement ${index + 1}: ${reason}`, { cause: error });
      }
    }
  }
  return migrations;
}
