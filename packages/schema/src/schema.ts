/**
 * The schema files (`sql/NNN_name.sql`, one per table or group of views) rendered for a
 * database and a layout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distributedCompanions, type Layout, layoutParameters, SINGLE } from './layout.js';
import { REQUEST_COLUMNS, type RequestColumn, requestColumnParameters } from './request-columns.js';
import { rollupParameters } from './rollup-measures.js';
import { splitStatements } from './statements.js';

/** The database the schema lives in unless told otherwise (the exporter's default too). */
export const DEFAULT_DATABASE = 'otel';

/** This package's folders, next to `src/` and `dist/`. */
export const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface SchemaOptions {
  /** Default `otel`. Letters, digits and underscores. */
  database?: string;
  /** Default single server. */
  layout?: Layout;
  /** The request table's columns; default the manifest (tests pass a changed one). */
  requestColumns?: readonly RequestColumn[];
  /** Where the `.sql` files are; default this package's `sql/`. */
  sqlDir?: string;
}

export interface SchemaFile {
  /** File name, e.g. `020_requests.sql`. */
  name: string;
  /** Rendered statements, in order, without comments and without the final `;`. */
  statements: string[];
}

/** Lists the `NNN_name.sql` (or `NNNN_name.sql`) files of a folder in the order they apply. */
export function numberedFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3,4}_[\w-]+\.sql$/.test(file))
    .sort();
}

/** Every template parameter for these options. */
export function templateParameters(options: SchemaOptions = {}): Record<string, string> {
  return {
    ...layoutParameters(options.database ?? DEFAULT_DATABASE, options.layout ?? SINGLE),
    ...requestColumnParameters(options.requestColumns ?? REQUEST_COLUMNS),
    ...rollupParameters(),
  };
}

/** Replaces every `{{name}}`; a name without a value is an error, not an empty string. */
export function renderTemplate(
  text: string,
  parameters: Record<string, string>,
  source = 'template',
): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`${source}: unknown template parameter {{${name}}}`);
    return value;
  });
}

/** Renders one file's text into statements, with the Distributed faces of the cluster layout. */
export function renderStatements(text: string, options: SchemaOptions = {}, source = 'template'): string[] {
  const parameters = templateParameters(options);
  const layout = options.layout ?? SINGLE;
  // Split first: comments may name parameters, and a rendered value may span lines.
  return splitStatements(text)
    .map((statement) => renderTemplate(statement, parameters, source))
    .flatMap((statement) => [statement, ...distributedCompanions(statement, parameters.database!, layout)]);
}

/** The schema files, rendered, in the order they apply. */
export function readSchema(options: SchemaOptions = {}): SchemaFile[] {
  const dir = options.sqlDir ?? SQL_DIR;
  return numberedFiles(dir).map((name) => ({
    name,
    statements: renderStatements(readFileSync(join(dir, name), 'utf8'), options, name),
  }));
}
