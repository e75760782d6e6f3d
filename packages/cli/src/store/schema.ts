/**
 * The aicost schema files (`collector/sql/*.sql`): where to find them and how
 * to split them into statements. The repository's `collector/sql/` is the one
 * source; the build copies it into `dist/sql/` so an installed CLI carries it.
 *
 * File conventions (collector/README.md): files apply in lexical order; every
 * statement is idempotent; a statement ends with a line whose last non-blank
 * character is `;`; lines starting with `--` are comments; the database is `otel`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The database every table of the schema lives in. */
export const DATABASE = 'otel';

export interface SchemaFile {
  name: string;
  statements: string[];
}

function moduleDir(): string {
  // tsup shims import.meta.url in the CJS build.
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * Where the schema files are: `$AICOST_SQL_DIR`, else the repository's
 * `collector/sql/` when running from a checkout, else the copy shipped in `dist/sql/`.
 */
export function findSqlDir(): string {
  const fromEnv = process.env.AICOST_SQL_DIR;
  if (fromEnv) return resolve(fromEnv);
  const here = moduleDir();
  for (let dir = here, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'collector', 'sql');
    if (existsSync(join(dir, 'packages', 'cli', 'package.json')) && existsSync(candidate)) return candidate;
  }
  for (const candidate of [join(here, 'sql'), join(here, '..', 'dist', 'sql')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`aicost: cannot find the schema files (collector/sql); set AICOST_SQL_DIR`);
}

export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (line.trimStart().startsWith('--')) continue;
    current.push(line);
    if (line.trimEnd().endsWith(';')) {
      const text = current.join('\n').trim().replace(/;$/, '').trim();
      if (text) statements.push(text);
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest) throw new Error(`statement without a terminating ';': ${rest.slice(0, 80)}`);
  return statements;
}

export function readSchema(dir: string = findSqlDir()): SchemaFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, statements: splitStatements(readFileSync(join(dir, name), 'utf8')) }));
}

/** Applies every statement in order through `exec`; returns how many ran. */
export async function applySchema(
  exec: (statement: string) => Promise<unknown>,
  files: SchemaFile[] = readSchema(),
  onFile?: (file: SchemaFile) => void,
): Promise<number> {
  let count = 0;
  for (const file of files) {
    onFile?.(file);
    for (const statement of file.statements) {
      try {
        await exec(statement);
      } catch (err) {
        throw new Error(`${file.name}: ${(err as Error).message}`, { cause: err });
      }
      count++;
    }
  }
  return count;
}
