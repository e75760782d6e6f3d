/**
 * Runs the dashboards' SQL (grafana/generator) on the engine with ClickHouse query parameters
 * in place of Grafana's macros and variables, so the UI and the dashboards read the same
 * tables with the same SQL and show the same numbers by construction.
 *
 * The SQL text that reaches the engine is always one of our own queries: a user's time range
 * and filter values travel only as typed parameters (`{from:DateTime('UTC')}`,
 * `{feature:Array(String)}`, ...), bound by the engine, never written into the text.
 *
 * What each Grafana construct becomes (the plugin's own expansion is in test/support/grafana.ts):
 * - `$__conditionalAll(<phrase>, $name)`: `<phrase>` when the selection has values for
 *   `name`, else `1=1` (the dashboards' "All");
 * - the dashboards' reading of a selection (`selectedValues(name)`: the values decoded from the
 *   variable's `customqueryparam` text) and `${name}`, `${name:format}`, `$name` of a
 *   dimension: `{name:Array(String)}`;
 * - `$__fromTime`, `$__toTime`: `{from:DateTime('UTC')}`, `{to:DateTime('UTC')}`;
 *   `$__timeFilter(c)`: `c >= from AND c <= to`; `$__dateFilter(c)`: the same on `toDate`;
 * - `$__interval_s`: `{interval_s:UInt32}`; `$__timeInterval(c)`: buckets of that many seconds.
 * A construct not listed (a new macro in a dashboard) is an error, not a silent pass-through.
 */
import { DIMENSIONS, selectedValues } from '../../../../grafana/generator/sql.ts';

export type DimensionName = (typeof DIMENSIONS)[number]['name'];
export const DIMENSION_NAMES: readonly string[] = DIMENSIONS.map((dimension) => dimension.name);

/** Selected values per dimension; a dimension absent or empty is "All". */
export type Selection = Partial<Record<string, string[]>>;

/** The time range: whole seconds (Unix time), inclusive at both ends like `$__timeFilter`. */
export interface TimeRange {
  from: number;
  to: number;
  /** Seconds per time-series bucket (Grafana's `$__interval_s`). */
  intervalSeconds: number;
}

const FROM = "{from:DateTime('UTC')}";
const TO = "{to:DateTime('UTC')}";
const INTERVAL = '{interval_s:UInt32}';

/** The arguments of the macro call whose `(` is at `open`: top-level commas, as the plugin splits them. */
function callArguments(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i += 1) {
    const c = sql[i];
    if (c === '(') depth += 1;
    else if (c === ')') {
      depth -= 1;
      if (depth === 0) {
        args.push(sql.slice(start, i));
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error('unbalanced $__conditionalAll( in dashboard SQL');
}

function applyConditionalAll(sql: string, selection: Selection): string {
  const macro = '$__conditionalAll(';
  let result = sql;
  for (let index = result.lastIndexOf(macro); index !== -1; index = result.lastIndexOf(macro)) {
    const { args, end } = callArguments(result, index + macro.length - 1);
    const [phrase, variable] = args;
    const name = /^\s*\$\{?(\w+)\}?\s*$/.exec(variable ?? '')?.[1];
    if (args.length !== 2 || name === undefined || !DIMENSION_NAMES.includes(name)) {
      throw new Error(`unsupported $__conditionalAll(${args.join(',')})`);
    }
    const selected = (selection[name]?.length ?? 0) > 0;
    result = result.slice(0, index) + (selected ? phrase! : '1=1') + result.slice(end);
  }
  return result;
}

const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g;

/** Grafana SQL with the query parameters in place of its macros and variables. */
export function bindDashboardSql(sql: string, selection: Selection): string {
  let text = applyConditionalAll(sql, selection);
  // The whole expression, before its variable: the parameter already is the list of values.
  for (const name of DIMENSION_NAMES) text = text.replaceAll(selectedValues(name), `{${name}:Array(String)}`);
  text = text
    .replace(/\$__timeFilter\(\s*([\w.]+)\s*\)/g, `$1 >= ${FROM} AND $1 <= ${TO}`)
    .replace(
      /\$__dateFilter\(\s*([\w.]+)\s*\)/g,
      `$1 >= toDate(${FROM}, 'UTC') AND $1 <= toDate(${TO}, 'UTC')`,
    )
    .replace(
      /\$__timeInterval\(\s*([\w.]+)\s*\)/g,
      `toStartOfInterval(toDateTime($1), INTERVAL ${INTERVAL} second)`,
    )
    .replace(/\$__fromTime\b/g, FROM)
    .replace(/\$__toTime\b/g, TO)
    .replace(/\$__interval_s\b/g, INTERVAL);
  const bound = text.replace(VARIABLE, (match, braced?: string, bare?: string) => {
    const name = braced ?? bare!;
    if (!DIMENSION_NAMES.includes(name))
      throw new Error(`unsupported Grafana construct ${match} in dashboard SQL`);
    return `{${name}:Array(String)}`;
  });
  // A variable inside a string literal would become text, not a parameter: refuse it.
  if (/'\{\w+:Array\(String\)\}'/.test(bound))
    throw new Error('a dashboard variable inside a string literal');
  return bound;
}

/** The parameter values for `bindDashboardSql`'s text (the engine ignores those a query does not use). */
export function queryParameters(range: TimeRange, selection: Selection): Record<string, unknown> {
  // DateTime parameters as text: the engine reads a short number (`0`) as a malformed date.
  const dateTime = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
  const params: Record<string, unknown> = {
    from: dateTime(range.from),
    to: dateTime(range.to),
    interval_s: range.intervalSeconds,
  };
  for (const name of DIMENSION_NAMES) params[name] = selection[name] ?? [];
  return params;
}
