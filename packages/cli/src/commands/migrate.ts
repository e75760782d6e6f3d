/**
 * `aicost migrate`: applies the schema files (collector/sql) to a ClickHouse
 * server or to the local store. Every statement is idempotent, so running it
 * again changes nothing. `--with-prices` then loads the price catalogue, so a
 * deployment needs one command.
 */
import { flag, type ParsedArgs, str, UsageError } from '../args.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { applySchema, findSqlDir, readSchema } from '../store/schema.js';
import { loadCatalogue } from './prices.js';

export const migrateOptions = {
  ...connectionOptions,
  'with-prices': { type: 'boolean' },
  'prices-file': { type: 'string' },
} as const;

export async function migrate(args: ParsedArgs): Promise<number> {
  const dir = findSqlDir();
  const files = readSchema(dir);
  // Overrides also come from AICOST_PRICES_FILE (read by @aicost/core), as for `prices load`.
  const pricesFile = str(args, 'prices-file');
  const withPrices = flag(args, 'with-prices');
  if (pricesFile && !withPrices) throw new UsageError('--prices-file goes with --with-prices');
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
    if (withPrices) {
      const { rows, aliases } = await loadCatalogue((statement) => backend.run(statement), { pricesFile });
      process.stdout.write(
        `loaded ${rows} price rows and ${aliases} model aliases into ${backend.description}\n`,
      );
    }
    return 0;
  } finally {
    await backend.close();
  }
}
