/**
 * Just enough SQL lexing for the HTTP front: find statement boundaries, the
 * first keyword, a trailing FORMAT clause and an INSERT's target, while
 * skipping quoted strings, quoted identifiers and comments.
 */

/** The text with comments removed and string literals blanked (same length), for keyword scans. */
export function maskSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      const stop = Math.min(j + 1, sql.length);
      // Keep the quotes so identifiers stay recognisable as one token.
      out += c + '_'.repeat(Math.max(0, stop - i - 2)) + (stop - i >= 2 ? c : '');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The statement's first keyword, upper-cased (`SELECT`, `INSERT`, ...). */
export function firstKeyword(sql: string): string {
  const m = /^[\s(]*([A-Za-z]+)/.exec(maskSql(sql));
  return m ? m[1]!.toUpperCase() : '';
}

/** Whether the text holds more than one statement (a `;` followed by more SQL). */
export function hasSeveralStatements(sql: string): boolean {
  const masked = maskSql(sql);
  const idx = masked.indexOf(';');
  return (
    idx !== -1 &&
    masked
      .slice(idx + 1)
      .replace(/;/g, '')
      .trim().length > 0
  );
}

/** The format named by a trailing `FORMAT x` clause (SETTINGS may follow it). */
export function formatClause(sql: string): string | undefined {
  const m = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)(?:\s+SETTINGS\b[\s\S]*)?\s*;?\s*$/i.exec(maskSql(sql));
  return m ? m[1] : undefined;
}

const READ_ONLY_KEYWORDS = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'EXISTS',
  'VALUES',
]);

/** Whether a statement only reads (no DDL, no INSERT, no writing to files). */
export function isReadOnly(sql: string): boolean {
  const masked = maskSql(sql);
  if (!READ_ONLY_KEYWORDS.has(firstKeyword(sql))) return false;
  if (/\bINTO\s+OUTFILE\b/i.test(masked)) return false;
  return !hasSeveralStatements(sql);
}

export interface InsertTarget {
  /** `INSERT INTO x (cols)` up to the FORMAT keyword. */
  head: string;
  format: string;
}

/** `INSERT INTO t [(cols)] [SETTINGS ...] FORMAT f` with its data expected after it. */
export function insertWithFormat(sql: string): InsertTarget | undefined {
  const masked = maskSql(sql);
  const m = /^\s*INSERT\s+INTO\b[\s\S]*?\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*$/i.exec(masked);
  if (!m) return undefined;
  const formatAt = masked.search(/\bFORMAT\s+[A-Za-z][A-Za-z0-9_]*\s*$/i);
  return { head: sql.slice(0, formatAt).trim(), format: m[1]! };
}
