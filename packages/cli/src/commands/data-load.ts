/**
 * `aicost revenue load <file>`, `aicost targets load <file>`, `aicost capacity load <file>`:
 * the business data of the economics views, from CSV or JSON. The whole file is checked
 * first; any bad row (reported with its line) means nothing is loaded.
 */
import { type ParsedArgs, UsageError } from '../args.js';
import { DataFileError } from '../economics/data-file.js';
import { insertDataRows, readDataFile } from '../economics/load.js';
import { CAPACITY, type DataTable, REVENUE, TARGETS } from '../economics/tables.js';
import { connectionOptions, openBackend } from '../store/backend.js';

export const dataLoadOptions = { ...connectionOptions } as const;

function loader(table: DataTable) {
  return async (args: ParsedArgs): Promise<number> => {
    const [action, file, ...rest] = args.positionals;
    if (action !== 'load' || file === undefined || rest.length > 0)
      throw new UsageError(`usage: aicost ${table.command} load <file.csv|file.json|file.jsonl>`);
    let rows: Record<string, unknown>[];
    try {
      rows = readDataFile(table, file);
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error;
      process.stderr.write(`aicost ${table.command} load: ${file}: ${error.message}\n`);
      return 1;
    }
    const backend = await openBackend(args, { create: true });
    try {
      const written = await insertDataRows(backend, table, file, rows);
      process.stdout.write(`loaded ${written} row(s) into ${table.table} in ${backend.description}\n`);
      return 0;
    } finally {
      await backend.close();
    }
  };
}

export const revenue = loader(REVENUE);
export const targets = loader(TARGETS);
export const capacity = loader(CAPACITY);
