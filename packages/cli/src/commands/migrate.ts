/**
 * `aicost migrate`: applies the schema files (collector/sql) to a ClickHouse
 * server or to the local store. Every statement is idempotent, so running it
 * again changes nothing.
 */
import type { ParsedArgs } from '../args.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { applySchema, findSqlDir, readSchema } from '../store/schema.js';

export const migrateOptions = { ...connectionOptions } as const;

export async function migrate(args: ParsedArgs): Promise<number> {
  const dir = findSqlDir();
  const files = readSchema(dir);
  const backend = await openBackend(args, { create: true });
  try {
    const count = await applySchema(
      (statement) => backend.run(statement),
      files,
      (file) => process.stderr.write(`applying ${file.name} (${file.statements.length} statements)\n`),
    );
    process.stdout.write(
      `applied ${count} statements from ${files.length} files in ${dir} to ${backend.description}\n`,
    );
    return 0;
  } finally {
    await backend.close();
  }
}
