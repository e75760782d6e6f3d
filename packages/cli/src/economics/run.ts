/** Runs economics SQL and prints it the way `aicost sql` does (table, JSON or CSV). */
import {
  alignFor,
  parseTsvWithNamesAndTypes,
  type ResultSet,
  toCsv,
  toJsonRows,
  toTable,
} from '../output.js';
import type { SqlBackend } from '../store/backend.js';

export async function query(
  backend: SqlBackend,
  sql: string,
  params?: Record<string, string>,
): Promise<ResultSet> {
  return parseTsvWithNamesAndTypes(await backend.run(sql, 'TSVWithNamesAndTypes', params));
}

export function render(rs: ResultSet, format: string): string {
  const names = rs.columns.map((c) => c.name);
  if (format === 'json') return `${JSON.stringify(toJsonRows(rs), null, 2)}\n`;
  if (format === 'csv') return toCsv(names, rs.rows);
  if (rs.rows.length === 0) return '(no rows)\n';
  return toTable(names, rs.rows, alignFor(rs));
}
