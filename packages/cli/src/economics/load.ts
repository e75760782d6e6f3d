/** Validates a data file whole, then writes it in one insert (see data-file.ts). */
import { resolve } from 'node:path';
import type { SqlBackend } from '../store/backend.js';
import { DataFileError, insertStatement, readRecords, validateRecords } from './data-file.js';
import type { DataTable } from './tables.js';

/** Reads and checks `path` for `table`; throws DataFileError with every problem. */
export function readDataFile(table: DataTable, path: string, content?: string): Record<string, unknown>[] {
  const records = readRecords(path, content);
  const rows = validateRecords(records, table.fields, table.check);
  const seen = new Map<string, string>();
  const problems: string[] = [];
  rows.forEach((row, index) => {
    const key = table.key(row);
    const where = records[index]!.where;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${where}: same key as ${first} (${key})`);
    else seen.set(key, where);
  });
  if (problems.length > 0) throw new DataFileError(problems);
  return rows;
}

/** Writes rows checked by {@link readDataFile} from `path` in one insert; returns how many. */
export async function insertDataRows(
  backend: SqlBackend,
  table: DataTable,
  path: string,
  rows: Record<string, unknown>[],
): Promise<number> {
  await backend.run(
    insertStatement(
      table.table,
      rows.map((row) => ({ ...row, source: resolve(path) })),
    ),
  );
  return rows.length;
}
