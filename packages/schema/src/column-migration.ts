/**
 * Writes the migration for columns added to the request-column manifest: the same column on
 * the request table and on the two Null tables the views pass rows through (each right after
 * its manifest predecessor, so an upgraded table has the column order of a new one), and the
 * four materialized views that read or write them refreshed to their new definition.
 */
import { columnDefinition, REQUEST_COLUMNS, type RequestColumn } from './request-columns.js';

/** The views whose SELECT lists come from the manifest (020_requests.sql). */
export const REQUEST_VIEWS = [
  'aicost_spans_mv',
  'aicost_spans_to_price_mv',
  'aicost_requests_recorded_mv',
  'aicost_requests_priced_mv',
] as const;

/** The tables created with the request table's columns: the table, then its two Null twins. */
const REQUEST_TABLES = ['aicost_requests{{local}}', 'aicost_spans', 'aicost_spans_to_price'] as const;

/**
 * The text of `migrations/NNNN_<name>.sql` adding `added` (column names present in `columns`).
 * Statements are idempotent (`IF NOT EXISTS`): a migrate that stopped half-way can run again.
 */
export function columnMigration(
  added: readonly string[],
  columns: readonly RequestColumn[] = REQUEST_COLUMNS,
  description = `Adds ${added.join(', ')} to the request table.`,
): string {
  const lines = [`-- ${description}`, `-- @refresh ${REQUEST_VIEWS.join(' ')}`];
  for (const name of added) {
    const index = columns.findIndex((column) => column.name === name);
    if (index < 0) throw new Error(`column ${name} is not in the manifest`);
    if (index === 0) throw new Error(`column ${name}: a new column cannot be the first one`);
    const column = columns[index]!;
    const after = columns[index - 1]!.name;
    for (const table of REQUEST_TABLES) {
      lines.push(
        `ALTER TABLE {{database}}.${table}{{on_cluster}} ADD COLUMN IF NOT EXISTS ${columnDefinition(column)} AFTER ${after};`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
