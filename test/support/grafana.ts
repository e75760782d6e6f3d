/**
 * What Grafana and the ClickHouse plugin (grafana/clickhouse-datasource 4.20) do to a raw SQL
 * query before ClickHouse sees it, in their order, so dashboard SQL can be run on the engine:
 *
 * 1. `$__conditionalAll(<sql>, $var)` (frontend, CHDatasource.applyConditionalAll, BEFORE
 *    variables): `1=1` when the variable's current value is `$__all` or empty, else `<sql>`.
 * 2. Grafana's variable interpolation (Scenes' sceneInterpolator + formatRegistry), with the
 *    plugin's format function as the default: an array becomes `'a','b'` (not escaped), a
 *    single value is inserted raw. `${var:format}` picks a registry format instead. "All" with
 *    a custom all value inserts that value unformatted (CustomAllValue); without one, every
 *    option's value.
 * 3. The backend macros (pkg/macros/macros.go on grafana/macropro): comments blanked, then
 *    `$__timeFilter(col)`, `$__fromTime`, `$__interval_s`, ... longest name first.
 *
 * Read from: clickhouse-datasource src/data/CHDatasource.ts and pkg/macros/macros.go; Scenes
 * packages/scenes/src/variables/{constants.ts,interpolation/*,variants/MultiValueVariable.ts};
 * macropro parser.go, macropro.go and defaults.go.
 */

export const ALL_VALUE = '$__all';

/** A dashboard variable as the interpolation sees it. */
export interface VariableState {
  name: string;
  /** Current value: a string, or an array for a multi-value variable; `$__all`/`['$__all']` = All. */
  value: string | string[];
  /** The custom all value (`allValue` in the dashboard JSON), if any. */
  allValue?: string | null;
  /** The variable's options (values), used for All without a custom all value. */
  options?: string[];
}

export interface QueryContext {
  from: Date;
  to: Date;
  /** Grafana's computed interval for the panel, in milliseconds. */
  intervalMs: number;
  variables: readonly VariableState[];
  /** Extra scoped variables (the request adds `__interval` and `__interval_ms` itself). */
  scopedVars?: Record<string, string>;
}

// ---------------------------------------------------------------------------
// 1. $__conditionalAll (the plugin, frontend)
// ---------------------------------------------------------------------------

/** CHDatasource.getMacroArgs: splits at top-level commas, counting parentheses only (quotes are not special). */
function macroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let bracketCount = 0;
  let lastArgEndIndex = 1;
  const argsSubstr = query.substring(argsIndex);
  for (let match = re.exec(argsSubstr); match !== null; match = re.exec(argsSubstr)) {
    const node = match[0];
    if (node === '(') bracketCount++;
    else if (node === ')') bracketCount--;
    if (node === ',' && bracketCount === 1) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      lastArgEndIndex = re.lastIndex;
    }
    if (bracketCount === 0) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

/** CHDatasource.applyConditionalAll, from the last occurrence backwards. */
export function applyConditionalAll(rawQuery: string, variables: readonly VariableState[]): string {
  const macro = '$__conditionalAll(';
  let query = rawQuery;
  let index = query.lastIndexOf(macro);
  while (index !== -1) {
    const params = macroArgs(query, index + macro.length - 1);
    if (params.length !== 2) return query;
    const [phraseArg, variableArg] = params as [string, string];
    // Only `$name` or `${name}`: a `${name:format}` is not recognised and keeps the phrase.
    const name = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/.exec(variableArg.trim());
    let phrase = phraseArg;
    if (name) {
      const variable = variables.find((candidate) => candidate.name === name[0]);
      const value = variable === undefined ? undefined : String(variable.value);
      if (value === '' || value === ALL_VALUE) phrase = '1=1';
    }
    // String.replace with a string, as in the plugin: the first identical occurrence, and `$&`,
    // `$'`, ... in the phrase are replacement patterns (a phrase with `$&` never ends).
    query = query.replace(`${macro}${phraseArg},${variableArg})`, phrase);
    index = query.lastIndexOf(macro);
  }
  return query;
}

// ---------------------------------------------------------------------------
// 2. Grafana variable interpolation (Scenes)
// ---------------------------------------------------------------------------

/** Scenes' VARIABLE_REGEX: `$var`, `[[var]]`/`[[var:fmt]]`, `${var}`/`${var.path}`/`${var:fmt}`. */
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type Value = string | string[];
type Formatter = (value: Value, args: string[], name: string) => string;

const quoteEach = (value: Value, quote: string, escapeText: (text: string) => string) =>
  Array.isArray(value)
    ? value.map((item) => `${quote}${escapeText(item)}${quote}`).join(',')
    : `${quote}${escapeText(String(value))}${quote}`;

/** The formats of Scenes' formatRegistry a SQL dashboard would use. */
export const FORMATS: Record<string, Formatter> = {
  raw: (value) => String(value),
  csv: (value) => (Array.isArray(value) ? value.join(',') : String(value)),
  pipe: (value) => (Array.isArray(value) ? value.join('|') : String(value)),
  json: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  glob: (value) => (Array.isArray(value) && value.length > 1 ? `{${value.join(',')}}` : String(value)),
  join: (value, args) => (Array.isArray(value) ? value.join(args[0] ?? ',') : String(value)),
  singlequote: (value) => quoteEach(value, "'", (text) => text.replace(/'/g, "\\'")),
  doublequote: (value) => quoteEach(value, '"', (text) => text.replace(/"/g, '\\"')),
  sqlstring: (value) =>
    quoteEach(value, "'", (text) => text.replace(/'|"/g, (c) => (c === "'" ? "''" : '\\"'))),
  // `name=<prefix><value>` per value, joined with `&`; name defaults to the variable's.
  customqueryparam: (value, args, name) => {
    const key = encodeURIComponentStrict(args[0] || name);
    const prefix = encodeURIComponentStrict(args[1] || '');
    const values = Array.isArray(value) ? value : [value];
    return values.map((item) => `${key}=${prefix}${encodeURIComponentStrict(item)}`).join('&');
  },
};

/** Scenes' encodeURIComponentStrict: RFC 3986, so `!'()*` are encoded too. */
function encodeURIComponentStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The plugin's default format (CHDatasource.format): arrays quoted without escaping, the rest raw. */
export function pluginFormat(value: Value): string {
  return Array.isArray(value) ? `'${value.join("','")}'` : value;
}

function isAll(value: Value): boolean {
  return value === ALL_VALUE || (Array.isArray(value) && value[0] === ALL_VALUE);
}

/** Grafana's interpolation with the plugin's default format. Unknown names stay as written. */
export function interpolateVariables(
  sql: string,
  variables: readonly VariableState[],
  scopedVars: Record<string, string> = {},
): string {
  return sql.replace(
    VARIABLE_REGEX,
    (
      match,
      var1?: string,
      var2?: string,
      fmt2?: string,
      var3?: string,
      fieldPath?: string,
      fmt3?: string,
    ) => {
      const name = (var1 ?? var2 ?? var3)!;
      const format = fmt2 ?? fmt3;
      if (Object.hasOwn(scopedVars, name)) return formatValue(scopedVars[name]!, format, name);
      const variable = variables.find((candidate) => candidate.name === name);
      if (variable === undefined) return match;
      let value: Value = variable.value;
      if (isAll(value)) {
        // CustomAllValue: the custom all value as is (then interpolated again), for every
        // format but text/percentencode/queryparam.
        if (variable.allValue) return interpolateVariables(variable.allValue, variables, scopedVars);
        value = variable.options ?? [];
      }
      if (fieldPath !== undefined && Array.isArray(value)) {
        const index = Number.parseInt(fieldPath, 10);
        if (index >= 0 && index < value.length) value = value[index]!;
      }
      return formatValue(value, format, name);
    },
  );
}

function formatValue(value: Value, format: string | undefined, name: string): string {
  if (format === undefined) return pluginFormat(value);
  const [id, ...args] = format.split(':');
  // An unknown format falls back to glob (Scenes logs an error).
  const formatter = FORMATS[id!] ?? FORMATS.glob!;
  return formatter(value, args, name);
}

// ---------------------------------------------------------------------------
// 3. Backend macros (pkg/macros on macropro)
// ---------------------------------------------------------------------------

/**
 * macropro.StripComments with the plugin's styles (line, block, backslash escapes, backticks,
 * dollar quotes): comments become spaces of the same length, literals are kept.
 */
export function stripComments(query: string): string {
  let out = '';
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = scanQuoted(query, i);
      out += query.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      const end = dollarQuoteEnd(query, i);
      if (end > 0) {
        out += query.slice(i, end);
        i = end;
        continue;
      }
    }
    if (c === '-' && query[i + 1] === '-') {
      let j = i;
      while (j < query.length && query[j] !== '\n' && query[j] !== '\r') j++;
      out += ' '.repeat(j - i);
      i = j;
      continue;
    }
    if (c === '/' && query[i + 1] === '*') {
      const close = query.indexOf('*/', i + 2);
      const j = close === -1 ? query.length : close + 2;
      out += ' '.repeat(j - i);
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** End (exclusive) of the quoted literal at `pos`: doubled quotes and (ClickHouse) backslash escapes. */
function scanQuoted(s: string, pos: number): number {
  const quote = s[pos];
  let j = pos + 1;
  while (j < s.length) {
    if (s[j] === '\\' && quote !== '`') {
      j += 2;
      continue;
    }
    if (s[j] === quote) {
      if (s[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return s.length;
}

/** `$tag$...$tag$` literal at `pos`: its end, or -1. */
function dollarQuoteEnd(s: string, pos: number): number {
  let j = pos + 1;
  while (j < s.length && s[j] !== '$') {
    if (!/[A-Za-z0-9_]/.test(s[j]!)) return -1;
    j++;
  }
  if (j >= s.length) return -1;
  const tag = s.slice(pos, j + 1);
  const close = s.indexOf(tag, j + 1);
  return close === -1 ? -1 : close + tag.length;
}

function findClosingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; ) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      i = scanQuoted(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  return -1;
}

/** macropro parseArgs: top-level commas, quotes and parentheses respected, arguments trimmed. */
function parseArgs(raw: string): string[] {
  const text = raw.trim();
  if (text === '') return [];
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      i = scanQuoted(text, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) throw new Error(`unexpected ')' at position ${i}`);
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  if (depth !== 0) throw new Error('unbalanced parentheses in arguments');
  args.push(text.slice(start).trim());
  return args;
}

type Macro = (ctx: QueryContext, args: string[]) => string;

const unix = (date: Date) => Math.floor(date.getTime() / 1000);
const dateTime = (date: Date) => `toDateTime(${unix(date)})`;
const dateTime64 = (date: Date) => `fromUnixTimestamp64Milli(${date.getTime()})`;
const date = (value: Date) => `toDate('${value.toISOString().slice(0, 10)}')`;
const seconds = (ctx: QueryContext) => Math.max(Math.trunc(ctx.intervalMs / 1000), 1);

function arity(name: string, want: number, args: string[]): void {
  if (args.length !== want) {
    throw new Error(`${name} expected ${want} argument(s), received ${args.length}`);
  }
}

/** macropro go duration for $__timeGroup: 30s, 5m, 1h, 1h30m, 500ms. */
function goDurationSeconds(text: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`invalid interval "${text}"`);
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0));
}

/** Go's FormatDuration in macropro (largest whole unit). */
function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** ClickHouseMacros: macropro's defaults overridden and extended by the plugin. */
export const MACROS: Record<string, Macro> = {
  interval: (ctx) => formatDuration(ctx.intervalMs),
  interval_ms: (ctx) => String(ctx.intervalMs),
  table: () => {
    throw new Error('$__table: no table name in query context');
  },
  column: () => {
    throw new Error('$__column: no column name in query context');
  },
  timeFilter: (ctx, args) => {
    arity('$__timeFilter', 1, args);
    return `${args[0]} >= ${dateTime(ctx.from)} AND ${args[0]} <= ${dateTime(ctx.to)}`;
  },
  timeFrom: (ctx, args) => {
    arity('$__timeFrom', 1, args);
    return `${args[0]} >= ${dateTime(ctx.from)}`;
  },
  timeTo: (ctx, args) => {
    arity('$__timeTo', 1, args);
    return `${args[0]} <= ${dateTime(ctx.to)}`;
  },
  timeGroup: (_ctx, args) => {
    arity('$__timeGroup', 2, args);
    const secs = goDurationSeconds(args[1]!.trim().replace(/^['"]|['"]$/g, ''));
    if (secs <= 0) throw new Error('$__timeGroup: interval must be positive');
    return `toStartOfInterval(toDateTime(${args[0]!.trim()}), INTERVAL ${secs} second)`;
  },
  fromTime: (ctx) => dateTime(ctx.from),
  toTime: (ctx) => dateTime(ctx.to),
  fromTime_ms: (ctx) => dateTime64(ctx.from),
  toTime_ms: (ctx) => dateTime64(ctx.to),
  timeFilter_ms: (ctx, args) => {
    arity('$__timeFilter_ms', 1, args);
    return `${args[0]} >= ${dateTime64(ctx.from)} AND ${args[0]} <= ${dateTime64(ctx.to)}`;
  },
  dateFilter: (ctx, args) => {
    arity('$__dateFilter', 1, args);
    return `${args[0]} >= ${date(ctx.from)} AND ${args[0]} <= ${date(ctx.to)}`;
  },
  dateTimeFilter: (ctx, args) => {
    arity('$__dateTimeFilter', 2, args);
    const [d, t] = args as [string, string];
    return `(${d} >= ${date(ctx.from)} AND ${d} <= ${date(ctx.to)}) AND (${t} >= ${dateTime(ctx.from)} AND ${t} <= ${dateTime(ctx.to)})`;
  },
  timeInterval: (ctx, args) => {
    arity('$__timeInterval', 1, args);
    return `toStartOfInterval(toDateTime(${args[0]}), INTERVAL ${seconds(ctx)} second)`;
  },
  timeInterval_ms: (ctx, args) => {
    arity('$__timeInterval_ms', 1, args);
    return `toStartOfInterval(toDateTime64(${args[0]}, 3), INTERVAL ${Math.max(ctx.intervalMs, 1)} millisecond)`;
  },
  interval_s: (ctx) => String(seconds(ctx)),
};
MACROS.dt = MACROS.dateTimeFilter!;

/** Statement macros rewrite whole queries; dashboards here do not use them. */
const STATEMENT_MACROS = [
  '$__columns',
  '$__rateColumns',
  '$__perSecondColumns',
  '$__increaseColumns',
  '$__lttb',
];

const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Interpolate: comments blanked, then every macro, longest name first; unknown `$__x` stay. */
export function expandMacros(sql: string, ctx: QueryContext): string {
  for (const statement of STATEMENT_MACROS) {
    if (sql.includes(`${statement}(`)) throw new Error(`${statement} is not supported by this expander`);
  }
  let result = stripComments(sql);
  const names = Object.keys(MACROS).sort((a, b) => b.length - a.length || a.localeCompare(b));
  for (const name of names) {
    const token = `$__${name}`;
    let out = '';
    let rest = result;
    for (let idx = rest.indexOf(token); idx !== -1; idx = rest.indexOf(token)) {
      const after = idx + token.length;
      if (isNameChar(rest[after])) {
        out += rest.slice(0, after);
        rest = rest.slice(after);
        continue;
      }
      out += rest.slice(0, idx);
      rest = rest.slice(after);
      let raw = '';
      if (rest[0] === '(') {
        const end = findClosingParen(rest, 0);
        if (end !== -1) {
          raw = rest.slice(1, end);
          rest = rest.slice(end + 1);
        }
      }
      out += MACROS[name]!(ctx, parseArgs(raw));
    }
    result = out + rest;
  }
  return result;
}

// ---------------------------------------------------------------------------

/** The whole pipeline, as a panel query reaches ClickHouse. */
export function expandQuery(sql: string, ctx: QueryContext): string {
  const scopedVars = {
    __interval: formatDuration(ctx.intervalMs),
    __interval_ms: String(ctx.intervalMs),
    ...ctx.scopedVars,
  };
  const conditional = applyConditionalAll(sql, ctx.variables);
  const interpolated = interpolateVariables(conditional, ctx.variables, scopedVars);
  return expandMacros(interpolated, ctx);
}
