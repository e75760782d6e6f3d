/**
 * Result sets for the terminal: read the engine's TSVWithNamesAndTypes (exact
 * text for every type) and print it as a table, CSV or JSON.
 */

export interface ResultSet {
  columns: { name: string; type: string }[];
  /** Cell text as the engine printed it; null for NULL. */
  rows: (string | null)[][];
}

const TSV_ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  r: '\r',
  n: '\n',
  t: '\t',
  '0': '\0',
  "'": "'",
  '\\': '\\',
};

function unescapeTsv(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => TSV_ESCAPES[c] ?? c);
}

export function parseTsvWithNamesAndTypes(text: string): ResultSet {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) return { columns: [], rows: [] };
  const names = lines[0]!.split('\t').map((f) => unescapeTsv(f) ?? '');
  const types = lines[1]!.split('\t').map((f) => unescapeTsv(f) ?? '');
  return {
    columns: names.map((name, i) => ({ name, type: types[i] ?? 'String' })),
    rows: lines.slice(2).map((line) => line.split('\t').map(unescapeTsv)),
  };
}

function unwrap(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return m ? unwrap(m[1]!) : type;
}

/** JSON value of a cell: small integers, floats and booleans as JSON; 64-bit and Decimal stay strings (exact). */
function jsonCell(value: string | null, type: string): unknown {
  if (value === null) return null;
  const t = unwrap(type);
  if (/^U?Int(8|16|32)$/.test(t)) return Number(value);
  if (/^Float(32|64)$/.test(t)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if (t === 'Bool') return value === 'true';
  return value;
}

export function toJsonRows(rs: ResultSet): Record<string, unknown>[] {
  return rs.rows.map((row) =>
    Object.fromEntries(rs.columns.map((c, i) => [c.name, jsonCell(row[i] ?? null, c.type)])),
  );
}

/** C0 controls other than tab/newline, DEL and C1 controls: ESC and BEL drive terminals. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeControl(c: string): string {
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * A value as it may be printed on a terminal: control characters (ESC, BEL,
 * CSI, ...) become visible `\xHH` escapes, newlines and tabs `\n`/`\t`, so
 * an attribute value sent by anyone who can reach the OTLP port cannot
 * rewrite the terminal (title, cursor, hyperlinks, clipboard).
 */
export function terminalSafe(v: string): string {
  return v.replace(CONTROL, escapeControl).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** A plain decimal number (kept as is in CSV, negative numbers included). */
const NUMBER = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * A CSV field. A text starting with `=`, `+`, `-`, `@`, tab or CR is a
 * formula to spreadsheets (`=HYPERLINK(...)`): it gets a leading `'` (the
 * OWASP CSV-injection rule), numbers excepted. Control characters are escaped
 * as on the terminal.
 */
function csvField(v: string | null): string {
  if (v === null) return '';
  let text = v.replace(CONTROL, escapeControl);
  if (/^[=+\-@\t\r]/.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: string[], rows: (string | null)[][]): string {
  return `${[columns, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

const RIGHT_ALIGNED = /^(U?Int\d+|Float\d+|Decimal.*|money|count)$/;

/** A plain-text table; `align` per column ('right' for numbers and money). */
export function toTable(
  columns: string[],
  rows: (string | null)[][],
  align: ('left' | 'right')[] = [],
  footer?: (string | null)[],
): string {
  const cells = rows.map((r) => r.map((v) => (v === null ? 'NULL' : terminalSafe(v))));
  const foot = footer?.map((v) => terminalSafe(v ?? ''));
  const names = columns.map(terminalSafe);
  const widths = names.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length), foot ? (foot[i] ?? '').length : 0),
  );
  const line = (r: string[]) =>
    r
      .map((v, i) => (align[i] === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(names), rule, ...cells.map(line)];
  if (foot) out.push(rule, line(foot));
  return `${out.join('\n')}\n`;
}

export function alignFor(rs: ResultSet): ('left' | 'right')[] {
  return rs.columns.map((c) => (RIGHT_ALIGNED.test(unwrap(c.type)) ? 'right' : 'left'));
}
