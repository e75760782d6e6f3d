/**
 * What a read on the SQL port may contain, judged on the engine's own parse
 * of the statement (`EXPLAIN AST`, which parses without running anything and
 * resolves escapes such as `\x66ile` to `file`), never on the raw text.
 *
 * The engine refuses writes (readonly = 1) and the table functions and
 * engines that reach outside (grants without SOURCES, see store/engine.ts).
 * This guard covers what those controls do not, as allow-lists:
 * - statement kinds: SELECT (with UNION/INTERSECT/EXCEPT), SHOW, DESCRIBE,
 *   EXISTS, EXPLAIN;
 * - table functions: {@link LOCAL_TABLE_FUNCTIONS} only, and the store's own
 *   views called with parameters (`otel.aicost_release_costs_between(from = ...)`:
 *   the engine parses a parameterised view's call as a table function);
 * - scalar and aggregate functions: those the running engine lists in
 *   `system.functions` (with aggregate combinators), except the ones that
 *   reach files or the host ({@link OUTSIDE_FUNCTIONS}: the scalar `file()`
 *   is not subject to grants in clickhouse-local);
 * - no `INTO OUTFILE` (clickhouse-local writes it without a grant check).
 * URL settings are an allow-list too ({@link CLIENT_SETTINGS}).
 */
import { LOCAL_TABLE_FUNCTIONS } from './sql-text.js';

/** A statement the read-only interface refuses (answered 403 with the reason). */
export class ReadRefusedError extends Error {
  override name = 'ReadRefusedError';
}

/** Functions the engine has that read files or describe the host. */
export const OUTSIDE_FUNCTIONS: ReadonlySet<string> = new Set([
  'file',
  'catboostevaluate',
  'naivebayesclassifier',
  'filesystemavailable',
  'filesystemcapacity',
  'filesystemunreserved',
  'addresstoline',
  'addresstolinewithinlines',
  'addresstosymbol',
  'demangle',
  'getclienthttpheader',
  'modelevaluate',
  'showcertificate',
]);

const READ_ROOTS =
  /^(SelectWithUnionQuery|SelectIntersectExceptQuery|SelectQuery|ShowTables|Show\w+Query|Exists\w*Query|DescribeQuery|Explain)$/;

/** Function names known to the engine, plus aggregate combinators, for {@link readGuard}. */
export interface EngineFunctions {
  /** Lower-cased names from system.functions. */
  names: ReadonlySet<string>;
  /** Lower-cased aggregate function names. */
  aggregates: ReadonlySet<string>;
  /** Combinator suffixes (`If`, `State`, `Merge`, ...), lower-cased. */
  combinators: readonly string[];
  /**
   * The store's views, lower-cased, as `database.name` and `name`: a parameterised view is
   * called like a table function. Views only read the store. Refreshed in place after each
   * write that may create or drop one ({@link refreshStoreViews}).
   */
  views: Set<string>;
}

function isKnownFunction(name: string, fns: EngineFunctions): boolean {
  if (name === 'lambda' || fns.names.has(name)) return true;
  // sumIf, uniqStateMerge, ...: an aggregate followed by combinators.
  let rest = name;
  for (let guard = 0; guard < 8; guard++) {
    const suffix = fns.combinators.find((c) => rest.length > c.length && rest.endsWith(c));
    if (!suffix) return false;
    rest = rest.slice(0, -suffix.length);
    if (fns.aggregates.has(rest)) return true;
  }
  return false;
}

export interface AstNode {
  depth: number;
  kind: string;
  name: string;
}

/** `EXPLAIN AST` text (TabSeparated, one node per line, one space of indent per level) to nodes. */
export function parseAst(text: string): AstNode[] {
  const nodes: AstNode[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const depth = line.length - line.trimStart().length;
    const body = line.trimStart();
    const space = body.indexOf(' ');
    const kind = space === -1 ? body : body.slice(0, space);
    let name = space === -1 ? '' : body.slice(space + 1);
    const annotation = name.search(/ \((alias|children) /);
    if (annotation !== -1) name = name.slice(0, annotation);
    nodes.push({ depth, kind, name });
  }
  return nodes;
}

/**
 * Throws {@link ReadRefusedError} unless the parsed statement only reads
 * this store with allowed functions. `ast` is `EXPLAIN AST` output.
 */
export function readGuard(ast: string, fns: EngineFunctions): void {
  const nodes = parseAst(ast);
  const root = nodes[0];
  if (root?.depth !== 0 || !READ_ROOTS.test(root.kind)) {
    throw new ReadRefusedError(`${root?.kind ?? 'this'} statements are not reads`);
  }
  const parents: AstNode[] = [];
  for (const node of nodes) {
    parents.length = node.depth;
    const parent = parents[node.depth - 1];
    parents[node.depth] = node;
    // The only literal directly under a SELECT's root is INTO OUTFILE's file name.
    if (node.depth === 1 && node.kind === 'Literal' && /^(Select|Explain)/.test(root.kind)) {
      throw new ReadRefusedError('INTO OUTFILE writes a file');
    }
    if (node.kind !== 'Function') continue;
    const name = node.name.toLowerCase();
    if (parent?.kind === 'TableExpression') {
      if (!LOCAL_TABLE_FUNCTIONS.has(name) && !fns.views.has(name)) {
        throw new ReadRefusedError(`${node.name}() reaches outside the store (table function)`);
      }
    } else if (OUTSIDE_FUNCTIONS.has(name)) {
      throw new ReadRefusedError(`${node.name}() reaches outside the store`);
    } else if (!isKnownFunction(name, fns)) {
      throw new ReadRefusedError(`${node.name}() is not a function of this engine`);
    }
  }
}

/**
 * Settings the supported clients send as URL parameters: the Grafana
 * ClickHouse plugin and clickhouse-go (max_execution_time, limit, time
 * zone, async insert), @clickhouse/client (JSON and date formats, progress
 * headers are protocol parameters), and the usual output-shaping ones. Any
 * other setting in the URL is refused with 400. Values are numbers or short
 * plain words.
 */
export const CLIENT_SETTINGS: ReadonlySet<string> = new Set([
  'max_execution_time',
  'max_result_rows',
  'max_result_bytes',
  'result_overflow_mode',
  'max_rows_to_read',
  'max_bytes_to_read',
  'max_memory_usage',
  'max_threads',
  'max_block_size',
  'limit',
  'offset',
  'timeout_overflow_mode',
  'extremes',
  'join_use_nulls',
  'session_timezone',
  'date_time_input_format',
  'date_time_output_format',
  'output_format_json_quote_64bit_integers',
  'output_format_json_quote_64bit_floats',
  'output_format_json_quote_decimals',
  'output_format_json_quote_denormals',
  'output_format_json_named_tuples_as_objects',
  'output_format_json_array_of_rows',
  'output_format_write_statistics',
  'output_format_pretty_color',
  'output_format_decimal_trailing_zeros',
  'input_format_skip_unknown_fields',
  'input_format_null_as_default',
  'insert_deduplicate',
  'insert_deduplication_token',
  'async_insert',
  'wait_for_async_insert',
  'wait_for_async_insert_timeout',
  'async_insert_busy_timeout_ms',
  'allow_experimental_analyzer',
  'enable_analyzer',
  'use_query_cache',
]);

/** A setting value as SQL: a number, or a quoted plain word (letters, digits, `_-:./+`). */
export function settingLiteral(name: string, value: string): string {
  if (/^-?\d{1,20}(\.\d{1,20})?$/.test(value)) return value;
  if (/^[A-Za-z0-9_\-:./+]{0,64}$/.test(value)) return `'${value}'`;
  throw new ReadRefusedError(`the value of the setting ${name} is not a number or a plain word`);
}

/** Reads the function names of the running engine (for {@link readGuard}). */
export async function loadEngineFunctions(query: (sql: string) => Promise<string>): Promise<EngineFunctions> {
  const rows = (await query('SELECT lower(name), is_aggregate FROM system.functions'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  const combinators = (await query('SELECT lower(name) FROM system.aggregate_function_combinators'))
    .split('\n')
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  return {
    names: new Set(rows.map(([name]) => name!)),
    aggregates: new Set(rows.filter(([, aggregate]) => aggregate === '1').map(([name]) => name!)),
    combinators,
    views: await storeViews(query),
  };
}

/** The store's views, for {@link EngineFunctions.views}. */
async function storeViews(query: (sql: string) => Promise<string>): Promise<Set<string>> {
  // A view named like a table function (`url`, `file`) is left out: the call would be the table function's.
  const rows = await query(
    "SELECT lower(database), lower(name) FROM system.tables WHERE engine = 'View' AND database NOT IN ('system', 'information_schema', 'INFORMATION_SCHEMA') AND lower(name) NOT IN (SELECT lower(name) FROM system.table_functions)",
  );
  return new Set(
    rows
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const [database, name] = line.split('\t') as [string, string];
        return [`${database}.${name}`, name];
      }),
  );
}

/**
 * Re-reads the store's views into `fns.views` after a write that may have created or dropped one
 * (`aicost migrate` over the SQL port creates views that later statements call with parameters).
 */
export async function refreshStoreViews(
  fns: EngineFunctions,
  query: (sql: string) => Promise<string>,
): Promise<void> {
  const views = await storeViews(query);
  fns.views.clear();
  for (const view of views) fns.views.add(view);
}
