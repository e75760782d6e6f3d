/**
 * Business data the economics views read (revenue, targets, capacity) as files users
 * keep: CSV with a header row, JSON (an array of objects) or JSON Lines. Every record
 * is validated against its table's fields before anything is written, and the rows go
 * in as ONE insert: a file with a bad row loads nothing.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDecimal } from '@aicost/core';
import { parse as parseCsv } from 'csv-parse/sync';

/** A record as read, with where it came from for error messages. */
export interface SourceRecord {
  /** `line 4` (CSV, JSON Lines) or `record 3` (JSON array). */
  where: string;
  values: Record<string, unknown>;
}

/** Reads `path` by its extension: `.csv`, `.json`, `.jsonl`/`.ndjson`. */
export function readRecords(path: string, text = readFileSync(path, 'utf8')): SourceRecord[] {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const rows = parseCsv(text, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
    return rows.map(({ record, info }) => ({ where: `line ${info.lines}`, values: record }));
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const records: SourceRecord[] = [];
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      records.push({ where: `line ${index + 1}`, values: parseJsonObject(line, `line ${index + 1}`) });
    }
    return records;
  }
  if (ext === '.json') {
    const parsed = parseJson(text, basename(path));
    if (!Array.isArray(parsed))
      throw new DataFileError([`${basename(path)}: expected a JSON array of objects`]);
    return parsed.map((value, index) => {
      const where = `record ${index + 1}`;
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new DataFileError([`${where}: expected an object`]);
      return { where, values: value as Record<string, unknown> };
    });
  }
  throw new DataFileError([`${basename(path)}: use a .csv, .json or .jsonl file`]);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFileError([`${where}: not JSON (${(error as Error).message})`]);
  }
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  const value = parseJson(text, where);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new DataFileError([`${where}: expected an object`]);
  return value as Record<string, unknown>;
}

/** Every problem of a file, each with its line or record: the whole file is refused. */
export class DataFileError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `${problems.length} problem(s), nothing loaded:\n${problems
        .slice(0, 50)
        .map((p) => `  ${p}`)
        .join('\n')}${problems.length > 50 ? `\n  ... and ${problems.length - 50} more` : ''}`,
    );
  }
}

/** How one column is read and checked; returns the value to insert or throws a message. */
export type FieldReader = (text: string) => unknown;

export interface FieldSpec {
  name: string;
  required?: boolean;
  /** Used when the field is absent or empty. */
  default?: string;
  read: FieldReader;
}

const MAX_TEXT = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

export const text: FieldReader = (value) => {
  if (value.length > MAX_TEXT) throw new Error(`longer than ${MAX_TEXT} characters`);
  if (CONTROL.test(value)) throw new Error('contains control characters');
  return value;
};

export const date: FieldReader = (value) => {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  )
    throw new Error(`${JSON.stringify(value)} is not a date (YYYY-MM-DD)`);
  return value;
};

/** An instant on the hour, UTC: `2026-12-01T08:00:00Z` or `2026-12-01 08:00:00`. */
export const hour: FieldReader = (value) => {
  const iso = value.replace(' ', 'T');
  const ms = Date.parse(/([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(value)} is not a date-time`);
  if (ms % 3_600_000 !== 0) throw new Error(`${JSON.stringify(value)} is not on the hour`);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
};

export const currency: FieldReader = (value) => {
  const code = value.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new Error(`${JSON.stringify(value)} is not an ISO 4217 currency code`);
  return code;
};

/** A non-negative amount with at most 9 decimals that fits Decimal(38, 9). */
export const amount: FieldReader = (value) => {
  const decimal = parseDecimal(value);
  if (decimal === undefined) throw new Error(`${JSON.stringify(value)} is not a number`);
  if (decimal.units < 0n) throw new Error(`${JSON.stringify(value)} is negative`);
  if (decimal.scale > 9) throw new Error(`${JSON.stringify(value)} has more than 9 decimals`);
  if (decimal.units >= 10n ** BigInt(29 + decimal.scale))
    throw new Error(`${JSON.stringify(value)} is too large`);
  return value.trim();
};

/** A ratio given as `70%` or `0.7`, strictly below 1 (100%). Returned as a decimal string. */
export const ratio: FieldReader = (value) => {
  const percent = value.trim().endsWith('%');
  const decimal = parseDecimal(percent ? value.trim().slice(0, -1) : value);
  if (decimal === undefined) throw new Error(`${JSON.stringify(value)} is not a ratio (70% or 0.7)`);
  const scaled = percent ? { units: decimal.units, scale: decimal.scale + 2 } : decimal;
  if (scaled.scale > 9) throw new Error(`${JSON.stringify(value)} has more than 9 decimals`);
  if (scaled.units < 0n || scaled.units >= 10n ** BigInt(scaled.scale))
    throw new Error(`${JSON.stringify(value)} must be at least 0 and below 100%`);
  const digits = scaled.units.toString().padStart(scaled.scale + 1, '0');
  return scaled.scale === 0 ? digits : `${digits.slice(0, -scaled.scale)}.${digits.slice(-scaled.scale)}`;
};

export const positiveInteger: FieldReader = (value) => {
  if (!/^\d+$/.test(value) || BigInt(value) === 0n || BigInt(value) > 4_294_967_295n)
    throw new Error(`${JSON.stringify(value)} is not a positive integer`);
  return Number(value);
};

export function oneOf(...choices: string[]): FieldReader {
  return (value) => {
    if (!choices.includes(value)) throw new Error(`${JSON.stringify(value)}: choose ${choices.join(', ')}`);
    return value;
  };
}

/**
 * Checks every record against `fields`; unknown columns are errors too (a typo must not drop
 * data silently). `check` adds rules across fields. Throws DataFileError listing everything.
 */
export function validateRecords(
  records: SourceRecord[],
  fields: FieldSpec[],
  check?: (row: Record<string, unknown>) => string | undefined,
): Record<string, unknown>[] {
  const problems: string[] = [];
  const known = new Set(fields.map((f) => f.name));
  const rows: Record<string, unknown>[] = [];
  if (records.length === 0) problems.push('no rows');
  for (const record of records) {
    const row: Record<string, unknown> = {};
    let ok = true;
    for (const key of Object.keys(record.values)) {
      if (!known.has(key)) {
        problems.push(
          `${record.where}: unknown column ${JSON.stringify(key)} (columns: ${[...known].join(', ')})`,
        );
        ok = false;
      }
    }
    for (const field of fields) {
      const raw = record.values[field.name];
      const value = raw === undefined || raw === null ? '' : String(raw).trim();
      if (value === '') {
        if (field.required) {
          problems.push(`${record.where}: ${field.name} is required`);
          ok = false;
        } else if (field.default !== undefined) row[field.name] = field.read(field.default);
        continue;
      }
      try {
        row[field.name] = field.read(value);
      } catch (error) {
        problems.push(`${record.where}: ${field.name}: ${(error as Error).message}`);
        ok = false;
      }
    }
    if (ok && check) {
      const problem = check(row);
      if (problem) problems.push(`${record.where}: ${problem}`);
    }
    rows.push(row);
  }
  if (problems.length > 0) throw new DataFileError(problems);
  return rows;
}

/** One `INSERT ... FORMAT JSONEachRow` statement: one insert, all rows or none. */
export function insertStatement(table: string, rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const body = rows.map((row) => JSON.stringify(row)).join('\n');
  return `INSERT INTO ${table} (${columns.join(', ')}) FORMAT JSONEachRow\n${body}`;
}
