#!/usr/bin/env node
/**
 * Writes the next migration for columns just added to the request-column manifest:
 *
 *   pnpm --filter @aicost/schema run build
 *   node packages/schema/scripts/column-migration.mjs --name add_service_version service_version [more columns]
 *
 * The file is migrations/NNNN_<name>.sql (NNNN = the next version); review and commit it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { columnMigration, MIGRATIONS_DIR, readMigrations } from '../dist/index.js';

const { values, positionals } = parseArgs({ options: { name: { type: 'string' } }, allowPositionals: true });
if (!values.name || !/^[a-z0-9_]+$/.test(values.name) || positionals.length === 0) {
  console.error('usage: column-migration.mjs --name <snake_case_name> <column> [column...]');
  process.exit(2);
}
const version = readMigrations().length + 1;
const file = join(MIGRATIONS_DIR, `${String(version).padStart(4, '0')}_${values.name}.sql`);
if (existsSync(file)) throw new Error(`${file} exists`);
writeFileSync(file, columnMigration(positionals));
console.log(file);
