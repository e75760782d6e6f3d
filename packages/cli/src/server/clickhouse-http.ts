/**
 * The ClickHouse HTTP interface of `aicost up`, served from the embedded
 * engine, so ClickHouse clients (the official @clickhouse/client, curl,
 * clickhouse-go over HTTP as used by Grafana and the exporter) can reach the
 * store the collector owns. See the compatibility matrix in the README.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib';
import type { LocalEngine } from '../store/engine.js';
import { engineErrorCode, engineErrorMessage } from '../store/engine-errors.js';
import { SESSION_SETTINGS } from '../store/session-settings.js';
import { BodyTooLargeError, readBody } from './http-util.js';
import { encodeHelloBlock, isNativeHello } from './native-hello.js';
import { EXTERNAL_FUNCTIONS, formatClause, insertWithFormat, readOnlyViolation } from './sql-text.js';

export interface ClickHouseHttpOptions {
  engine: LocalEngine;
  /** Allow statements that change data or schema (default: read-only). */
  writable: boolean;
  /** When set, requests must carry these credentials (Basic auth, headers or URL params). */
  user?: string;
  password?: string;
  maxBodyBytes: number;
  version: string;
  /**
   * Functions refused on read-only requests because they reach outside the
   * store (default: {@link EXTERNAL_FUNCTIONS}; `aicost up` adds the engine's
   * own list through {@link externalFunctionsOf}).
   */
  externalFunctions?: ReadonlySet<string>;
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

const TEXT_INSERT_FORMATS = new Set(
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
    'Values',
    'CustomSeparated',
    'LineAsString',
    'RawBLOB',
  ].map((f) => f.toLowerCase()),
);

/** ClickHouse's own mapping of some exception codes to HTTP statuses. */
function httpStatusOf(code: number | undefined): number {
  switch (code) {
    case 194:
    case 516:
      return 401;
    case 164:
    case 497:
      return 403;
    case 60:
    case 81:
    case 46:
    case 47:
    case 50:
      return 404;
    case 62:
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

interface Credentials {
  user: string;
  password: string;
}

function credentialsOf(req: IncomingMessage, params: URLSearchParams): Credentials | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1
      ? { user: decoded, password: '' }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') {
    const key = req.headers['x-clickhouse-key'];
    return { user: headerUser, password: typeof key === 'string' ? key : '' };
  }
  if (params.has('user')) return { user: params.get('user')!, password: params.get('password') ?? '' };
  return undefined;
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new HttpQueryError(48, 'NOT_IMPLEMENTED', `Content-Encoding ${encoding} is not supported`);
  }
}

function sqlQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function settingValue(v: string): string {
  return /^-?\d+(\.\d+)?$/.test(v) ? v : sqlQuote(v);
}

export function createClickHouseHttpServer(opts: ClickHouseHttpOptions): Server {
  const serverHeaders = {
    'X-ClickHouse-Server-Display-Name': 'aicost',
    'X-ClickHouse-Timezone': 'UTC',
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/ping' || path === '/replicas_status') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (path !== '/' && path !== '') {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' }).end(`There is no handle ${path}\n`);
      return;
    }
    const params = url.searchParams;
    const queryId = params.get('query_id') || randomUUID();
    try {
      if (opts.user !== undefined || opts.password !== undefined) {
        const creds = credentialsOf(req, params);
        if (
          (creds?.user ?? 'default') !== (opts.user ?? 'default') ||
          (creds?.password ?? '') !== (opts.password ?? '')
        ) {
          throw new HttpQueryError(
            516,
            'AUTHENTICATION_FAILED',
            'Authentication failed: password is incorrect, or there is no user with such name',
          );
        }
      }
      if (params.get('compress') === '1' || params.get('decompress') === '1') {
        throw new HttpQueryError(
          48,
          'NOT_IMPLEMENTED',
          "ClickHouse's native block compression (compress=1/decompress=1, clickhouse-go lz4/zstd) is not supported by aicost up; use compression none or gzip",
        );
      }
      const raw = req.method === 'POST' ? await readBody(req, opts.maxBodyBytes) : Buffer.alloc(0);
      if (req.method !== 'POST') req.resume();
      const body = decodeBody(raw, req.headers['content-encoding']);
      const urlQuery = params.get('query') ?? '';
      if (!urlQuery && body.length === 0) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
        return;
      }

      const requestedFormat =
        (req.headers['x-clickhouse-format'] as string | undefined) ||
        params.get('default_format') ||
        'TabSeparated';

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
        const { sql, cleanup } = buildStatement(urlQuery, body);
        try {
          // Read-only requests are checked twice: here (statement kind, functions that reach files,
          // URLs or other servers, INTO OUTFILE) and by the engine (readonly = 1 on a connection of
          // their own, which no setting in the request can lift).
          const readOnlyRequest =
            !opts.writable || req.method === 'GET' || (params.get('readonly') ?? '0') !== '0';
          const violation = readOnlyRequest
            ? readOnlyViolation(sql, opts.externalFunctions ?? EXTERNAL_FUNCTIONS)
            : undefined;
          if (violation) {
            // A statement that does not parse gets the engine's syntax error, not "read-only".
            if (!insertWithFormat(sql)) await opts.engine.queryReadOnly(`EXPLAIN AST ${sql}`);
            throw new HttpQueryError(
              164,
              'READONLY',
              req.method === 'GET'
                ? `Cannot execute query in readonly mode: GET requests only read (${violation}); use POST`
                : opts.writable
                  ? `Cannot execute query in readonly mode: the request set readonly=${params.get('readonly')} (${violation})`
                  : `aicost up serves the store read-only: ${violation}; writing needs --writable`,
            );
          }
          format = formatClause(sql) ?? requestedFormat;
          const result = await runWithContext(sql, format, params, req, readOnlyRequest);
          output = result.bytes();
          summary = {
            read_rows: result.rowsRead,
            read_bytes: result.bytesRead,
            elapsed_ns: Math.round(result.elapsed * 1e9),
          };
        } finally {
          cleanup();
        }
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
      req.resume();
      let message: string;
      let code: number | undefined;
      if (err instanceof HttpQueryError) {
        message = err.message;
        code = err.code;
      } else if (err instanceof BodyTooLargeError) {
        message = `Code: 202. DB::Exception: ${err.message}. (QUERY_IS_TOO_LARGE)`;
        code = 202;
      } else {
        message = engineErrorMessage(err);
        code = engineErrorCode(err);
      }
      const status = err instanceof BodyTooLargeError ? 413 : httpStatusOf(code);
      if (res.headersSent) {
        res.destroy();
        return;
      }
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
   * The statement to run. INSERT data in a text format is appended to the
   * statement; binary formats (Native from clickhouse-go, RowBinary, ...) go
   * through a temporary file read by the engine's `file()` function.
   */
  function buildStatement(urlQuery: string, body: Buffer): { sql: string; cleanup: () => void } {
    const none = () => {};
    if (!urlQuery) return { sql: body.toString('utf8'), cleanup: none };
    if (body.length === 0) return { sql: urlQuery, cleanup: none };
    const insert = insertWithFormat(urlQuery);
    if (!insert) return { sql: `${urlQuery}\n${body.toString('utf8')}`, cleanup: none };
    if (TEXT_INSERT_FORMATS.has(insert.format.toLowerCase())) {
      return { sql: `${urlQuery}\n${body.toString('utf8')}`, cleanup: none };
    }
    const dir = mkdtempSync(join(tmpdir(), 'aicost-insert-'));
    const file = join(dir, 'body.bin');
    writeFileSync(file, body);
    return {
      sql: `${insert.head} SELECT * FROM file(${sqlQuote(file)}, ${sqlQuote(insert.format)})`,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  /**
   * Runs one statement with the request's database and settings. A read-only
   * request runs on a read-only connection of its own; otherwise the engine
   * keeps `USE`/`SET` for the whole session, so they are set for this
   * statement and reset right after, in the same engine call.
   */
  async function runWithContext(
    sql: string,
    format: string,
    params: URLSearchParams,
    req: IncomingMessage,
    readOnly: boolean,
  ) {
    const before: string[] = [];
    const after: string[] = [];
    const database = (req.headers['x-clickhouse-database'] as string | undefined) || params.get('database');
    if (database && database !== 'default') {
      before.push(`USE \`${database.replace(/`/g, '\\`')}\``);
      after.push('USE default');
    }
    const bind: Record<string, string> = {};
    for (const [key, value] of params) {
      if (key.startsWith('param_')) bind[key.slice(6)] = value;
      else if (!PROTOCOL_PARAMS.has(key) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        before.push(`SET ${key} = ${settingValue(value)}`);
        after.push(`SET ${key} = ${SESSION_SETTINGS[key] ?? 'DEFAULT'}`);
      }
    }
    if (readOnly) {
      return opts.engine.queryReadOnly(sql.trim().replace(/;\s*$/, ''), {
        format,
        params: bind,
        setup: before,
      });
    }
    const text = [...before, sql.trim().replace(/;\s*$/, ''), ...after].join(';\n');
    try {
      return await opts.engine.query(text, { format, params: bind });
    } catch (err) {
      if (after.length > 0) await opts.engine.query(after.join(';\n')).catch(() => {});
      throw err;
    }
  }

  return createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.log?.(`clickhouse http: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) res.writeHead(500).end('internal error\n');
    });
  });
}
