/**
 * Just enough SQL lexing for the HTTP front: find statement boundaries, the
 * first keyword, a trailing FORMAT clause and an INSERT's target, while
 * skipping quoted strings, quoted identifiers and comments.
 */

/**
 * The text with comments removed and string literals blanked (same length),
 * for keyword scans. Linear in the length: each character is looked at once
 * and the output is built from slices (a body of tens of MiB used to take
 * seconds here).
 */
export function maskSql(sql: string): string {
  const out: string[] = [];
  let i = 0;
  let plainFrom = 0;
  const blank = (from: number, to: number, fill: string) => {
    out.push(sql.slice(plainFrom, from), fill.repeat(to - from));
    plainFrom = to;
  };
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === 45 /* - */ && next === 45) {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      blank(i, stop, ' ');
      i = stop;
    } else if (c === 47 /* / */ && next === 42 /* * */) {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      blank(i, stop, ' ');
      i = stop;
    } else if (c === 39 || c === 34 || c === 96 /* ' " ` */) {
      let j = i + 1;
      while (j < sql.length) {
        const d = sql.charCodeAt(j);
        if (d === 92 /* \\ */) j += 2;
        else if (d === c && sql.charCodeAt(j + 1) === c) j += 2;
        else if (d === c) break;
        else j++;
      }
      const stop = Math.min(j + 1, sql.length);
      // Keep the quotes so identifiers stay recognisable as one token.
      out.push(sql.slice(plainFrom, i), sql[i]!);
      if (stop - i >= 2) out.push('_'.repeat(stop - i - 2), sql[stop - 1]!);
      plainFrom = stop;
      i = stop;
    } else {
      i++;
    }
  }
  out.push(sql.slice(plainFrom));
  return out.join('');
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

export interface FormatClause {
  format: string;
  /** Where `FORMAT` starts in the text. */
  start: number;
  /** Whether a SETTINGS clause follows it. */
  settings: boolean;
}

/**
 * The trailing `FORMAT x [SETTINGS ...]` clause. Found from the last
 * `FORMAT` keyword (no backtracking regex over the whole text: a long run of
 * spaces used to make this quadratic).
 */
export function formatClauseAt(sql: string): FormatClause | undefined {
  const masked = maskSql(sql).trimEnd().replace(/;$/, '').trimEnd();
  const upper = masked.toUpperCase();
  let at = upper.lastIndexOf('FORMAT');
  while (at !== -1) {
    const before = at === 0 ? ' ' : masked[at - 1]!;
    if (!/[\w.]/.test(before)) {
      const m = /^FORMAT\s+([A-Za-z][A-Za-z0-9_]*)(\s+SETTINGS\b|$)/i.exec(masked.slice(at, at + 300));
      const tail = masked.slice(at);
      if (m && (m[2] !== '' || tail.length === m[0].length)) {
        return { format: m[1]!, start: at, settings: m[2] !== '' };
      }
      return undefined;
    }
    at = upper.lastIndexOf('FORMAT', at - 1);
  }
  return undefined;
}

/** The format named by a trailing `FORMAT x` clause (SETTINGS may follow it). */
export function formatClause(sql: string): string | undefined {
  return formatClauseAt(sql)?.format;
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

/**
 * Table functions that only compute or read this store's own tables. Every
 * other table function (the engine lists them in `system.table_functions`)
 * reaches files, URLs, object stores, other servers or programs, and is
 * refused on the read-only interface.
 */
export const LOCAL_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(
  [
    'SQLStandardValues',
    'dictionary',
    'format',
    'generateRandom',
    'generateSeries',
    'generate_series',
    'loop',
    'merge',
    'mergeTreeAnalyzeIndexes',
    'mergeTreeAnalyzeIndexesUUID',
    'mergeTreeIndex',
    'mergeTreeProjection',
    'mergeTreeTextIndex',
    'null',
    'numbers',
    'numbers_mt',
    'primes',
    'values',
    'view',
    'viewExplain',
    'viewIfPermitted',
    'zeros',
    'zeros_mt',
  ].map((name) => name.toLowerCase()),
);

/**
 * Functions that reach outside the store, as known when this was written
 * (chDB 26.7); the server adds whatever else the running engine lists. The
 * scalar `file()` reads a file too, and the engine's readonly mode does not
 * stop it.
 */
export const EXTERNAL_FUNCTIONS: ReadonlySet<string> = new Set(
  [
    'arrowstream',
    'azureBlobStorage',
    'azureBlobStorageCluster',
    'cluster',
    'clusterAllReplicas',
    'cosn',
    'deltaLake',
    'deltaLakeAzure',
    'deltaLakeAzureCluster',
    'deltaLakeCluster',
    'deltaLakeLocal',
    'deltaLakeS3',
    'deltaLakeS3Cluster',
    'eval',
    'executable',
    'executablePool',
    'file',
    'fileCluster',
    'filesystem',
    'fuzzJSON',
    'fuzzQuery',
    'gcs',
    'hdfs',
    'hdfsCluster',
    'hudi',
    'hudiCluster',
    'iceberg',
    'icebergAzure',
    'icebergAzureCluster',
    'icebergCluster',
    'icebergHDFS',
    'icebergHDFSCluster',
    'icebergLocal',
    'icebergLocalCluster',
    'icebergS3',
    'icebergS3Cluster',
    'input',
    'jdbc',
    'mongodb',
    'mysql',
    'odbc',
    'oss',
    'paimon',
    'paimonAzure',
    'paimonAzureCluster',
    'paimonCluster',
    'paimonHDFS',
    'paimonHDFSCluster',
    'paimonLocal',
    'paimonS3',
    'paimonS3Cluster',
    'postgresql',
    'prometheusQuery',
    'prometheusQueryRange',
    'redis',
    'remote',
    'remoteSecure',
    's3',
    's3Cluster',
    'sqlite',
    'timeSeriesData',
    'timeSeriesMetrics',
    'timeSeriesSamples',
    'timeSeriesSelector',
    'timeSeriesTags',
    'url',
    'urlCluster',
    'ytsaurus',
  ].map((name) => name.toLowerCase()),
);

/** The refused set for an engine: {@link EXTERNAL_FUNCTIONS} plus its table functions that are not local. */
export function externalFunctionsOf(tableFunctions: Iterable<string>): ReadonlySet<string> {
  const names = new Set(EXTERNAL_FUNCTIONS);
  for (const name of tableFunctions) {
    const lower = name.toLowerCase();
    if (!LOCAL_TABLE_FUNCTIONS.has(lower)) names.add(lower);
  }
  return names;
}

/** Names called as functions (`name(`, also quoted), lower-cased, outside strings and comments. */
export function calledFunctions(sql: string): string[] {
  const masked = maskSql(sql);
  const names: string[] = [];
  // Quoted names are blanked in the mask (same length), so they are read back from the text.
  for (const m of masked.matchAll(/(?<![\w.])(`_*`|"_*"|[A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const token = sql.slice(m.index, m.index + m[1]!.length);
    names.push(
      token
        .replace(/^[`"]|[`"]$/g, '')
        .replace(/\\(.)/g, '$1')
        .toLowerCase(),
    );
  }
  return names;
}

/**
 * Why a statement may not run on the read-only interface, or undefined when
 * it only reads this store: one SELECT/WITH/SHOW/DESCRIBE/EXPLAIN/EXISTS
 * statement, no `INTO OUTFILE`, no function that reaches files, URLs, other
 * servers or programs, and no `readonly` setting of its own (a subquery's
 * SETTINGS could otherwise lift the engine's read-only mode).
 */
export function readOnlyViolation(
  sql: string,
  externalFunctions: ReadonlySet<string> = EXTERNAL_FUNCTIONS,
): string | undefined {
  const masked = maskSql(sql);
  const keyword = firstKeyword(sql);
  if (!READ_ONLY_KEYWORDS.has(keyword)) return `${keyword || 'this'} statements write`;
  if (hasSeveralStatements(sql)) return 'one statement per request';
  if (/\bINTO\s+OUTFILE\b/i.test(masked)) return 'INTO OUTFILE writes a file';
  const external = calledFunctions(sql).find((name) => externalFunctions.has(name));
  if (external) return `${external}() reaches outside the store`;
  if (/\breadonly\s*=/i.test(masked)) return 'the readonly setting cannot be changed';
  return undefined;
}

/** Whether a statement only reads this store (see {@link readOnlyViolation}). */
export function isReadOnly(sql: string, externalFunctions?: ReadonlySet<string>): boolean {
  return readOnlyViolation(sql, externalFunctions) === undefined;
}

export interface InsertTarget {
  /** `INSERT INTO x (cols)` up to the FORMAT keyword. */
  head: string;
  format: string;
}

/** An INSERT whose rows follow its statement in the same text. */
export interface InlineInsert extends InsertTarget {
  data: Buffer;
}

/**
 * `INSERT INTO t [(cols)] [SETTINGS ...] VALUES rows` or `... FORMAT f rows`,
 * split into the statement and its rows (`VALUES` becomes `FORMAT Values`),
 * so the rows never run as SQL. `undefined` for an INSERT ... SELECT and for
 * other statements.
 */
export function inlineInsert(sql: string): InlineInsert | undefined {
  const masked = maskSql(sql);
  if (!/^\s*INSERT\s+INTO\b/i.test(masked)) return undefined;
  const keyword = /\b(VALUES|FORMAT|SELECT|WITH)\b|[()]/gi;
  let depth = 0;
  for (let m = keyword.exec(masked); m; m = keyword.exec(masked)) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth--;
    else if (depth === 0) {
      const word = m[1]!.toUpperCase();
      if (word === 'SELECT' || word === 'WITH') return undefined;
      const head = sql.slice(0, m.index).trim();
      if (word === 'VALUES') {
        const rows = sql
          .slice(m.index + m[0].length)
          .trim()
          .replace(/;$/, '');
        return { head, format: 'Values', data: Buffer.from(rows) };
      }
      const name = /^FORMAT\s+([A-Za-z][A-Za-z0-9_]*)[ \t]*\r?\n?/i.exec(masked.slice(m.index));
      if (!name) return undefined;
      return { head, format: name[1]!, data: Buffer.from(sql.slice(m.index + name[0].length)) };
    }
  }
  return undefined;
}

/** `INSERT INTO t [(cols)] [SETTINGS ...] FORMAT f` with its data expected after it. */
export function insertWithFormat(sql: string): InsertTarget | undefined {
  const masked = maskSql(sql);
  if (!/^\s*INSERT\s+INTO\b/i.test(masked)) return undefined;
  const clause = formatClauseAt(sql);
  if (!clause || clause.settings) return undefined;
  return { head: sql.slice(0, clause.start).trim(), format: clause.format };
}
