/** CSV billing exports read with csv-parse: header row, records with their line numbers. */
import { CsvError, parse } from 'csv-parse/sync';
import { decimalText } from './amount.js';
import { BillingFormatError } from './types.js';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** The cell of a column (header match is case-insensitive); undefined when the column is absent. */
  get(column: string): string | undefined;
  /** The first present column of several spellings (MCA camelCase, EA PascalCase...). */
  first(...columns: string[]): string | undefined;
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
  has(column: string): boolean;
}

export function parseCsv(text: string, file: string): CsvTable {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_quotes: false }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (err) {
    if (err instanceof CsvError) {
      throw new BillingFormatError(file, (err as CsvError & { lines?: number }).lines ?? 1, '', err.message);
    }
    throw err;
  }
  const [head, ...body] = rows;
  if (!head) throw new BillingFormatError(file, 1, '', 'empty file: no header row');
  const header = head.record.map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!index.has(name.toLowerCase())) index.set(name.toLowerCase(), i);
  });
  // csv-parse counts the line a record ends on; a record starts after the previous one ends.
  let previousEnd = head.info.lines;
  const records = body.map(({ record, info }) => {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    const get = (column: string) => {
      const i = index.get(column.toLowerCase());
      return i === undefined ? undefined : record[i];
    };
    return {
      line,
      get,
      first: (...columns: string[]) => {
        for (const c of columns) {
          const v = get(c);
          if (v !== undefined) return v;
        }
        return undefined;
      },
    };
  });
  return { header, records, has: (column) => index.has(column.toLowerCase()) };
}

/** A required decimal cell as exact text; a format error naming the column otherwise. */
export function decimalOrError(raw: string | undefined, file: string, line: number, field: string): string {
  const value = decimalText(raw);
  if (value === undefined)
    throw new BillingFormatError(file, line, field, `not a number: ${JSON.stringify(raw ?? '')}`);
  return value;
}
