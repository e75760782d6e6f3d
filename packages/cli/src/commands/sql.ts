/**
 * `aicost sql "<query>"` (or the query on stdin): runs any SQL on the store,
 * prints a table, JSON or CSV. A query with its own FORMAT clause prints the
 * engine's output as is.
 */
import { type ParsedArgs, str, UsageError } from '../args.js';
import { alignFor, parseTsvWithNamesAndTypes, toCsv, toJsonRows, toTable } from '../output.js';
import { formatClause } from '../server/sql-text.js';
import { connectionOptions, openBackend } from '../store/backend.js';

export const sqlOptions = { ...connectionOptions, format: { type: 'string', short: 'f' } } as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function sql(args: ParsedArgs): Promise<number> {
  let query = args.positionals.join(' ').trim();
  if (!query && !process.stdin.isTTY) query = (await readStdin()).trim();
  if (!query) throw new UsageError('aicost sql needs a query: aicost sql "SELECT ..." (or on stdin)');
  const format = str(args, 'format') ?? 'table';
  if (!['table', 'json', 'csv', 'tsv'].includes(format)) {
    throw new UsageError('--format must be table, json, csv or tsv');
  }
  const backend = await openBackend(args);
  try {
    if (formatClause(query)) {
      process.stdout.write(await backend.run(query));
      return 0;
    }
    const text = await backend.run(query, 'TSVWithNamesAndTypes');
    const rs = parseTsvWithNamesAndTypes(text);
    if (rs.columns.length === 0) {
      if (format === 'json') process.stdout.write('[]\n');
      return 0;
    }
    const names = rs.columns.map((c) => c.name);
    if (format === 'json') process.stdout.write(`${JSON.stringify(toJsonRows(rs), null, 2)}\n`);
    else if (format === 'csv') process.stdout.write(toCsv(names, rs.rows));
    else if (format === 'tsv')
      process.stdout.write(text.split('\n').slice(0, 1).concat(text.split('\n').slice(2)).join('\n'));
    else {
      process.stdout.write(toTable(names, rs.rows, alignFor(rs)));
      process.stderr.write(`${rs.rows.length} row${rs.rows.length === 1 ? '' : 's'}\n`);
    }
    return 0;
  } finally {
    await backend.close();
  }
}
