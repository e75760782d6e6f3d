/**
 * The statement format of the schema and migration files, shared with `clickhouse-client
 * --multiquery`: a statement ends with a line whose last non-blank character is `;`; lines
 * starting with `--` are comments and are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (line.trimStart().startsWith('--')) continue;
    current.push(line);
    if (line.trimEnd().endsWith(';')) {
      const text = current.join('\n').trim().replace(/;$/, '').trim();
      if (text !== '') statements.push(text);
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest !== '') throw new Error(`statement without a terminating ';': ${rest.slice(0, 80)}`);
  return statements;
}
