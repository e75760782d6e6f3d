/**
 * `aicost migrate`: brings a ClickHouse server, a cluster, a ClickHouse Cloud service or the
 * local store to the current schema through @aicost/schema's versioned migrations (a new
 * database gets the whole schema; an existing one the migrations it lacks; a changed past
 * migration stops it). `--status` lists the migrations and their state; `--print` writes the
 * rendered schema statements instead of running anything (review, or a DBA applies them).
 * `--with-prices` then loads the price catalogue, so a deployment needs one command.
 */
import { migrate as migrateSchema, migrationStatus, readSchema } from '@aicost/schema';
import { flag, type ParsedArgs, str, UsageError } from '../args.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { schemaDatabase, schemaLayout, schemaOptions } from '../store/schema.js';
import { loadCatalogue } from './prices.js';

export const migrateOptions = {
  ...connectionOptions,
  ...schemaOptions,
  status: { type: 'boolean' },
  print: { type: 'boolean' },
  'with-prices': { type: 'boolean' },
  'prices-file': { type: 'string' },
} as const;

export async function migrate(args: ParsedArgs): Promise<number> {
  const database = schemaDatabase(args);
  const layout = schemaLayout(args);
  if (flag(args, 'print')) {
    for (const file of readSchema({ database, layout })) {
      process.stdout.write(`-- ${file.name}\n`);
      for (const statement of file.statements) process.stdout.write(`${statement};\n\n`);
    }
    return 0;
  }
  // Overrides also come from AICOST_PRICES_FILE (read by @aicost/core), as for `prices load`.
  const pricesFile = str(args, 'prices-file');
  const withPrices = flag(args, 'with-prices');
  if (pricesFile && !withPrices) throw new UsageError('--prices-file goes with --with-prices');
  if (flag(args, 'status') && withPrices)
    throw new UsageError('--status changes nothing: drop --with-prices');
  const backend = await openBackend(args, { create: true });
  const run = (statement: string) => backend.run(statement);
  try {
    if (flag(args, 'status')) {
      const states = await migrationStatus(run, { database, layout });
      process.stdout.write(`migrations of ${database} on ${backend.description}:\n`);
      for (const s of states) {
        const when = s.appliedAt ? `  ${s.appliedAt} UTC` : '';
        process.stdout.write(
          `${String(s.version).padStart(4, '0')} ${s.name.padEnd(32)} ${s.state.padEnd(8)}${when}\n`,
        );
      }
      return states.some((s) => s.state === 'changed' || s.state === 'unknown') ? 1 : 0;
    }
    const result = await migrateSchema(run, {
      database,
      layout,
      onStep: (step) => process.stderr.write(`${step}\n`),
    });
    const what = result.installed
      ? `installed the schema (migrations ${result.applied.join(', ')} recorded)`
      : result.applied.length > 0
        ? `applied migrations ${result.applied.join(', ')}${result.adopted ? ' (recognised a version 1 schema)' : ''}`
        : 'schema already current';
    process.stdout.write(
      `${what}: ${result.statements} statements in ${database} on ${backend.description}\n`,
    );
    if (withPrices) {
      const { rows, aliases } = await loadCatalogue(run, { pricesFile, database });
      process.stdout.write(
        `loaded ${rows} price rows and ${aliases} model aliases into ${backend.description}\n`,
      );
    }
    return 0;
  } finally {
    await backend.close();
  }
}
