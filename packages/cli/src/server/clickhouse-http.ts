/**
 * The ClickHouse HTTP interface of `aicost up`, served from the embedded
 * engine, so ClickHouse clients (the official @clickhouse/client, curl,
 * clickhouse-go over HTTP as used by Grafana and the exporter) can reach the
 * store the collector owns. See the compatibility matrix and the security
 * section in the README.
 *
 * Every request: browser checks and the credential (server/access.ts) before
 * the body is read; a body bounded in size, time and decoded size; a query
 * text bounded in size. Reads run on a connection of their own that the
 * engine holds read-only and confined (store/engine.ts), after the engine's
 * parse of the statement passed the allow-lists of server/read-guard.ts.
 * Only writes (with --writable) use the shared session that ingestion uses.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { LocalEngine } from '../store/engine.js';
import { engineErrorCode, engineErrorMessage } from '../store/engine-errors.js';
import { SESSION_SETTINGS } from '../store/session-settings.js';
import {
  type BoundAddress,
  browserRequestRefusal,
  credentialMatches,
  type LocalCredential,
} from './access.js';
import {
  BodyTimeoutError,
  BodyTooLargeError,
  closeAfterAnswer,
  decodeContent,
  discardBody,
  hasUnreadBody,
  readBody,
  UnsupportedEncodingError,
} from './http-util.js';
import { encodeHelloBlock, isNativeHello } from './native-hello.js';
import {
  CLIENT_SETTINGS,
  type EngineFunctions,
  ReadRefusedError,
  readGuard,
  refreshStoreViews,
  settingLiteral,
} from './read-guard.js';
import {
  EXTERNAL_FUNCTIONS,
  firstKeyword,
  formatClause,
  inlineInsert,
  insertWithFormat,
  maskSql,
  readOnlyViolation,
} from './sql-text.js';
import { WriteRefusedError, writeGuard } from './write-guard.js';

/** How many write statements' verdicts {@link createClickHouseHttpServer} remembers. */
const MAX_WRITE_VERDICTS = 256;

export interface ClickHouseHttpOptions {
  engine: LocalEngine;
  /** Allow statements that change data or schema (default: read-only). */
  writable: boolean;
  /** Requests must carry this credential (see server/access.ts); undefined: no credential asked. */
  credential?: LocalCredential;
  /** The bound address, for the Host/Origin checks (read per request: the port is known after listen). */
  bound: () => BoundAddress;
  /** Largest body of an INSERT's data (bytes, compressed or decoded). */
  maxInsertBytes: number;
  /** Largest query text (bytes, URL query or body). */
  maxQueryBytes: number;
  /** Time allowed for a whole request body (ms). */
  bodyTimeoutMs: number;
  version: string;
  /** Functions of the running engine, for the read allow-list. */
  functions: EngineFunctions;
  log?: (message: string) => void;
}

/** URL parameters that are part of the HTTP protocol, not engine settings. */
const PROTOCOL_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'quota_key',
  'enable_http_compression',
  'http_zlib_compression_level',
  'wait_end_of_query',
  'buffer_size',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'client_protocol_version',
  'cancel_http_readonly_queries_on_client_close',
  'http_wait_end_of_query',
  'http_response_buffer_size',
  'compress',
  'decompress',
  'async_insert',
  'wait_for_async_insert',
  'wait_for_async_insert_timeout',
  'client_info_product',
  // Handled per request (a session-wide SET readonly could never be undone and would stop ingestion).
  'readonly',
  'allow_ddl',
  'profile',
]);

/**
 * Text formats whose data the engine reads to the end of the statement's text
 * (a `;` or SQL after the rows is a parse error, never a second statement).
 * `Values` is not one of them.
 */
const SELF_DELIMITING_TEXT_FORMATS = new Set(
  [
    'JSONEachRow',
    'JSONCompactEachRow',
    'JSONStringsEachRow',
    'JSONCompactStringsEachRow',
    'JSONCompactEachRowWithNames',
    'JSONCompactEachRowWithNamesAndTypes',
    'JSONLines',
    'NDJSON',
    'JSON',
    'JSONCompact',
    'JSONObjectEachRow',
    'CSV',
    'CSVWithNames',
    'CSVWithNamesAndTypes',
    'TSV',
    'TabSeparated',
    'TSVWithNames',
    'TabSeparatedWithNames',
    'TSVWithNamesAndTypes',
    'TabSeparatedWithNamesAndTypes',
    'TSVRaw',
    'TabSeparatedRaw',
    'CustomSeparated',
    'LineAsString',
    'RawBLOB',
  ].map((f) => f.toLowerCase()),
);

/**
 * ClickHouse's own mapping of some exception codes to HTTP statuses, plus
 * the per-query limits (memory, time, rows, bytes, query size): a query that
 * breaks a bound is the request's fault, answered 4xx, never 5xx.
 */
function httpStatusOf(code: number | undefined): number {
  switch (code) {
    case 158: // TOO_MANY_ROWS
    case 159: // TIMEOUT_EXCEEDED
    case 241: // MEMORY_LIMIT_EXCEEDED
    case 307: // TOO_MANY_BYTES
    case 396: // TOO_MANY_ROWS_OR_BYTES
      return 400;
    case 194:
    case 516:
      return 401;
    case 164:
    case 452:
    case 497:
      return 403;
    case 60:
    case 81:
    case 46:
    case 47:
    case 50:
      return 404;
    case 62:
    case 115:
    case 6:
    case 27:
    case 36:
    case 72:
    case 117:
      return 400;
    case 48:
      return 501;
    default:
      return 500;
  }
}

function contentTypeOf(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith('json') || f === 'ndjson') return 'application/json; charset=UTF-8';
  if (f.startsWith('csv')) return 'text/csv; charset=UTF-8; header=absent';
  if (f.startsWith('tsv') || f.startsWith('tabseparated')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('pretty') || f === 'vertical' || f === 'markdown') return 'text/plain; charset=UTF-8';
  if (f.startsWith('native') || f.startsWith('rowbinary') || f === 'parquet' || f.startsWith('arrow')) {
    return 'application/octet-stream';
  }
  return 'text/plain; charset=UTF-8';
}

class HttpQueryError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(`Code: ${code}. DB::Exception: ${message}. (${codeName})`);
  }
}

function sqlQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Statements that run on the shared session with --writable; everything else is a read. */
const WRITE_KEYWORDS = new Set([
  'INSERT',
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'RENAME',
  'EXCHANGE',
  'OPTIMIZE',
  'DELETE',
  'UPDATE',
  'ATTACH',
  'DETACH',
  'SYSTEM',
  'UNDROP',
]);

/** Writes after which the store's views are read again (a view may have been created, dropped or renamed). */
const VIEW_CHANGING_KEYWORDS = new Set(['CREATE', 'DROP', 'RENAME', 'EXCHANGE']);

interface RequestSettings {
  /** Allow-listed settings as SQL literals. */
  settings: Record<string, string>;
  /** Query parameters (`param_x`). */
  params: Record<string, string>;
}

/** Splits URL parameters into protocol ones, query parameters and allow-listed settings (400 otherwise). */
function requestSettings(params: URLSearchParams): RequestSettings {
  const settings: Record<string, string> = {};
  const bind: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key.startsWith('param_')) bind[key.slice(6)] = value;
    else if (PROTOCOL_PARAMS.has(key)) continue;
    else if (CLIENT_SETTINGS.has(key)) settings[key] = settingLiteral(key, value);
    else {
      throw new HttpQueryError(
        452,
        'SETTING_CONSTRAINT_VIOLATION',
        `the setting ${JSON.stringify(key.slice(0, 80))} is not accepted by aicost up (allowed: ${[...CLIENT_SETTINGS].join(', ')})`,
      );
    }
  }
  return { settings, params: bind };
}

export function createClickHouseHttpServer(opts: ClickHouseHttpOptions): Server {
  const writeVerdicts = new Map<string, string>();
  const serverHeaders = {
    'X-ClickHouse-Server-Display-Name': 'aicost',
    'X-ClickHouse-Timezone': 'UTC',
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const params = url.searchParams;
    const queryId = params.get('query_id') || randomUUID();
    // Until the credential is checked, no byte of the body is read, even to discard it.
    let authenticated = false;
    try {
      const refusal = browserRequestRefusal(req, opts.bound());
      if (refusal) throw new HttpQueryError(497, 'ACCESS_DENIED', refusal);
      if (path === '/ping' || path === '/replicas_status') {
        if (hasUnreadBody(req)) closeAfterAnswer(req, res);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
        return;
      }
      if (path !== '/' && path !== '') {
        if (hasUnreadBody(req)) closeAfterAnswer(req, res);
        res
          .writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' })
          .end(`There is no handle ${path}\n`);
        return;
      }
      if (opts.credential && !credentialMatches(req, url, opts.credential)) {
        throw new HttpQueryError(
          516,
          'AUTHENTICATION_FAILED',
          'Authentication failed: the password is missing or wrong (aicost up prints it at first start; it is in credential.json in the data directory)',
        );
      }
      authenticated = true;
      if (params.get('compress') === '1' || params.get('decompress') === '1') {
        throw new HttpQueryError(
          48,
          'NOT_IMPLEMENTED',
          "ClickHouse's native block compression (compress=1/decompress=1, clickhouse-go lz4/zstd) is not supported by aicost up; use compression none or gzip",
        );
      }
      const urlQuery = params.get('query') ?? '';
      if (Buffer.byteLength(urlQuery) > opts.maxQueryBytes) {
        throw new BodyTooLargeError(`the query is longer than the limit of ${opts.maxQueryBytes} bytes`);
      }
      const { settings, params: bind } = requestSettings(params);
      // The body is data only after an INSERT ... FORMAT in the URL; otherwise it is (part of) the query.
      const dataInsert = urlQuery ? insertWithFormat(urlQuery) : undefined;
      const bodyLimit = dataInsert ? opts.maxInsertBytes : opts.maxQueryBytes;
      let body: Buffer = Buffer.alloc(0);
      if (req.method === 'POST') {
        const raw = await readBody(req, bodyLimit, opts.bodyTimeoutMs);
        body = decodeContent(raw, req.headers['content-encoding'], bodyLimit);
      } else discardBody(req, res, authenticated);
      if (!urlQuery && body.length === 0) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
        return;
      }

      const requestedFormat =
        (req.headers['x-clickhouse-format'] as string | undefined) ||
        params.get('default_format') ||
        'TabSeparated';
      const database =
        (req.headers['x-clickhouse-database'] as string | undefined) || params.get('database') || undefined;

      let output: Uint8Array;
      let format: string;
      let summary = { read_rows: 0, read_bytes: 0, elapsed_ns: 0 };

      if (
        requestedFormat === 'Native' &&
        Number(params.get('client_protocol_version') ?? 0) > 0 &&
        isNativeHello(urlQuery || body.toString('utf8'))
      ) {
        output = encodeHelloBlock('aicost', opts.version, 'UTC');
        format = 'Native';
      } else {
        const sql = dataInsert
          ? urlQuery
          : urlQuery
            ? `${urlQuery}\n${body.toString('utf8')}`
            : body.toString('utf8');
        const keyword = firstKeyword(sql);
        const write =
          opts.writable &&
          req.method !== 'GET' &&
          (params.get('readonly') ?? '0') === '0' &&
          WRITE_KEYWORDS.has(keyword);
        let result: Awaited<ReturnType<LocalEngine['query']>>;
        if (write) {
          format = requestedFormat;
          const insert = dataInsert ? { ...dataInsert, data: body } : inlineInsert(sql);
          const statement = await guardedWrite(insert ? `${insert.head} FORMAT ${insert.format}` : sql);
          result = await runWrite(statement, insert?.data, requestedFormat, {
            database,
            settings,
            params: bind,
          });
          if (VIEW_CHANGING_KEYWORDS.has(keyword)) {
            await refreshStoreViews(opts.functions, async (text) => (await opts.engine.query(text)).text());
          }
        } else {
          if (WRITE_KEYWORDS.has(keyword)) {
            throw new HttpQueryError(
              164,
              'READONLY',
              req.method === 'GET'
                ? `Cannot execute query in readonly mode: GET requests only read (${keyword}); use POST`
                : opts.writable
                  ? `Cannot execute query in readonly mode: the request set readonly=${params.get('readonly')} (${keyword})`
                  : `aicost up serves the store read-only: ${keyword} statements write; writing needs --writable`,
            );
          }
          let canonical = '';
          result = await opts.engine.queryReadOnly(sql.trim(), {
            format: requestedFormat,
            params: bind,
            database,
            settings,
            check: (ast, text) => {
              readGuard(ast, opts.functions);
              // Second line: the older text scan, on the engine's canonical text.
              const violation = readOnlyViolation(text, EXTERNAL_FUNCTIONS);
              if (violation) throw new ReadRefusedError(violation);
              canonical = text;
            },
          });
          format = formatClause(canonical) ?? requestedFormat;
        }
        output = result.bytes();
        summary = {
          read_rows: result.rowsRead,
          read_bytes: result.bytesRead,
          elapsed_ns: Math.round(result.elapsed * 1e9),
        };
      }

      const headers: Record<string, string> = {
        ...serverHeaders,
        'Content-Type': contentTypeOf(format),
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Summary': JSON.stringify({
          read_rows: String(summary.read_rows),
          read_bytes: String(summary.read_bytes),
          written_rows: '0',
          written_bytes: '0',
          total_rows_to_read: String(summary.read_rows),
          result_rows: '0',
          result_bytes: String(output.length),
          elapsed_ns: String(summary.elapsed_ns),
        }),
      };
      let payload: Buffer = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
      const accept = String(req.headers['accept-encoding'] ?? '');
      if (params.get('enable_http_compression') === '1' && payload.length > 0) {
        if (/\bgzip\b/.test(accept)) {
          payload = gzipSync(payload);
          headers['Content-Encoding'] = 'gzip';
        } else if (/\bdeflate\b/.test(accept)) {
          payload = deflateSync(payload);
          headers['Content-Encoding'] = 'deflate';
        } else if (/\bbr\b/.test(accept)) {
          payload = brotliCompressSync(payload);
          headers['Content-Encoding'] = 'br';
        }
      }
      headers['Content-Length'] = String(payload.length);
      res.writeHead(200, headers);
      res.end(payload);
    } catch (err) {
      let message: string;
      let code: number | undefined;
      let status: number;
      if (err instanceof HttpQueryError) {
        message = err.message;
        code = err.code;
        status = httpStatusOf(code);
      } else if (err instanceof WriteRefusedError) {
        code = 497;
        message = `Code: 497. DB::Exception: aicost up keeps writes inside the store: ${err.message}. (ACCESS_DENIED)`;
        status = 403;
      } else if (err instanceof ReadRefusedError) {
        code = 164;
        message = `Code: 164. DB::Exception: aicost up serves the store read-only: ${err.message}. (READONLY)`;
        status = 403;
      } else if (err instanceof BodyTooLargeError) {
        code = 202;
        message = `Code: 202. DB::Exception: ${err.message}. (QUERY_IS_TOO_LARGE)`;
        status = 413;
      } else if (err instanceof BodyTimeoutError) {
        code = 159;
        message = `Code: 159. DB::Exception: ${err.message}. (TIMEOUT_EXCEEDED)`;
        status = 408;
      } else if (err instanceof UnsupportedEncodingError) {
        code = 48;
        message = `Code: 48. DB::Exception: ${err.message}. (NOT_IMPLEMENTED)`;
        status = 415;
      } else if (/Multi-statements are not allowed/.test(engineErrorMessage(err))) {
        code = 164;
        message =
          'Code: 164. DB::Exception: aicost up serves the store read-only: one statement per request. (READONLY)';
        status = 403;
      } else {
        message = engineErrorMessage(err);
        code = engineErrorCode(err);
        status = httpStatusOf(code);
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body not read to the end: for an authenticated request, one announced up to DRAIN_BYTES is read and
      // discarded, so the client, still sending, gets the answer rather than a broken pipe and keeps its
      // connection. Any other (refused before the credential was checked, unauthenticated, larger, too slow) is
      // not read at all: the answer goes at once and the connection is closed after it.
      if (err instanceof BodyTimeoutError) closeAfterAnswer(req, res);
      else discardBody(req, res, authenticated);
      res.writeHead(status, {
        ...serverHeaders,
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Exception-Code': String(code ?? 1002),
      });
      res.end(`${message} (version ${opts.version})\n`);
    }
  }

  /**
   * The engine's canonical text of a write statement (without its data), once
   * {@link writeGuard} has accepted the engine's parse of it. Verdicts are
   * remembered per text: the exporter sends the same INSERT for every batch.
   */
  async function guardedWrite(sql: string): Promise<string> {
    const known = writeVerdicts.get(sql);
    if (known !== undefined) return known;
    const { canonical, ast } = await opts.engine.parseStatement(sql);
    writeGuard(ast, canonical, opts.functions.views);
    if (writeVerdicts.size >= MAX_WRITE_VERDICTS) writeVerdicts.clear();
    writeVerdicts.set(sql, canonical);
    return canonical;
  }

  /**
   * A write on the shared session (--writable): `sql` is one statement the
   * guard accepted, `data` the rows of an INSERT. Data in a self-delimiting
   * text format (JSON lines, CSV, TSV, ...) is appended to the statement: the
   * engine reads it to the end, so nothing after it can run as SQL (checked for
   * each format in the tests). `Values` data is not self-delimiting (a `;`
   * ends it and starts a statement), so it goes, like binary formats (Native
   * from clickhouse-go, RowBinary, ...), through the engine's `format()` table
   * function, with an insert_deduplication_token made from the statement and
   * the rows (see retryToken), so a batch the exporter sends again is stored
   * once (appended text is deduplicated by the engine's block hash already;
   * INSERT ... SELECT is not, which is why `file()` counted retries twice).
   * The engine keeps `USE`/`SET` for the whole session, so they are set for
   * this statement and reset right after.
   */
  async function runWrite(
    sql: string,
    data: Buffer | undefined,
    format: string,
    ctx: { database?: string; settings: Record<string, string>; params: Record<string, string> },
  ) {
    const before: string[] = [];
    const after: string[] = [];
    if (ctx.database && ctx.database !== 'default') {
      before.push(`USE \`${ctx.database.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``);
      after.push('USE default');
    }
    for (const [key, value] of Object.entries(ctx.settings)) {
      before.push(`SET ${key} = ${value}`);
      after.push(`SET ${key} = ${SESSION_SETTINGS[key] ?? 'DEFAULT'}`);
    }
    let statement = sql.trim().replace(/;\s*$/, '');
    const insert = data && data.length > 0 ? insertWithFormat(sql) : undefined;
    let appendedData = false;
    if (insert && data) {
      if (SELF_DELIMITING_TEXT_FORMATS.has(insert.format.toLowerCase())) {
        statement = `${statement}\n${data.toString('utf8')}`;
        appendedData = true;
      } else {
        const hex = data.toString('hex');
        const token = await retryToken(insert.head, insert.format, hex);
        // The parser's limit must be raised before the statement is parsed; the token only works as the
        // statement's own setting (checked: a session SET of it, or async_insert = 1, does not deduplicate
        // INSERT ... SELECT).
        before.push(`SET max_query_size = ${hex.length + 65_536}`);
        after.push('SET max_query_size = DEFAULT');
        // async_insert (which the exporter asks for) would bypass the token: this insert is synchronous.
        const tokenSetting = `async_insert = 0, insert_deduplication_token = '${token}'`;
        const head = /\bSETTINGS\b/i.test(maskSql(insert.head))
          ? `${insert.head}, ${tokenSetting}`
          : `${insert.head} SETTINGS ${tokenSetting}`;
        statement = `${head} SELECT * FROM format(${sqlQuote(insert.format)}, unhex('${hex}'))`;
      }
    }
    // Appended data runs to the end of the text, so the resets get an engine call of their own.
    const text = [...before, statement, ...(appendedData ? [] : after)].join(';\n');
    let failed = false;
    try {
      return await opts.engine.query(text, { format, params: ctx.params });
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (after.length > 0 && (failed || appendedData))
        await opts.engine.query(after.join(';\n')).catch(() => {});
    }
  }

  /**
   * The deduplication token of a binary insert: the statement and the rows,
   * as the engine reads them, with Map values in key order. clickhouse-go
   * writes Go maps in random order, so the exporter's retry of a batch has
   * other bytes than the first try, but the same rows.
   */
  async function retryToken(head: string, format: string, hex: string): Promise<string> {
    const source = `format(${sqlQuote(format)}, unhex('${hex}'))`;
    const raise = `SET max_query_size = ${hex.length + 65_536}`;
    const reset = 'SET max_query_size = DEFAULT';
    const run = async (statement: string) => {
      try {
        return (
          await opts.engine.query(`${raise};\n${statement};\n${reset}`, { format: 'TabSeparatedRaw' })
        ).text();
      } catch (err) {
        await opts.engine.query(reset).catch(() => {});
        throw err;
      }
    };
    const columns = (await run(`DESCRIBE TABLE ${source}`))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
    const canonical = columns.map(([name = '', type = '']) => {
      const column = `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
      if (/^Map\(/.test(type)) return `mapSort(${column})`;
      if (/^Array\(Map\(/.test(type)) return `arrayMap(m -> mapSort(m), ${column})`;
      return column;
    });
    const rowsHash = (
      await run(`SELECT hex(sipHash128(groupArray(tuple(${canonical.join(', ')})))) FROM ${source}`)
    ).trim();
    return createHash('sha256').update(head).update('\0').update(rowsHash).digest('hex');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.log?.(`clickhouse http: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) res.writeHead(500).end('internal error\n');
    });
  });
  // Headers must arrive within 10 s and a whole request within the body timeout plus that.
  server.headersTimeout = 10_000;
  server.requestTimeout = opts.bodyTimeoutMs + 10_000;
  return server;
}
