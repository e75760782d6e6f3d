/**
 * The UI's HTTP server: the static assets built into dist/web/ and a small JSON API whose
 * every answer is one or more of ./queries.ts run read-only on the engine with bound
 * parameters. Money leaves as the engine prints a Decimal (a string, exact); the browser
 * never turns it into a float.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Authorize, closeAfterAnswer } from './access.js';
import { bindDashboardSql, queryParameters, type Selection, type TimeRange } from './bind.js';
import { LoginSessions } from './login.js';
import { CHANGES, FILTER_OPTIONS, PAGES, requestList, TRACE_REQUESTS, TRACE_SPANS } from './queries.js';
import { BadRequest, requestListParams, selection, timeRange, traceId } from './request-params.js';

/** The part of the CLI's LocalEngine the UI uses (a read-only connection per query). */
export interface UiEngine {
  queryReadOnly(
    sql: string,
    opts: { format?: string; params?: Record<string, unknown>; settings?: Record<string, string> },
  ): Promise<{ text(): string }>;
}

export interface UiServerOptions {
  engine: UiEngine;
  /**
   * Decides whether a request may be answered, before anything else of it is looked at:
   * `browserRequestsFrom(bound, { navigation: true })` checks Host, Origin and Sec-Fetch-Site
   * against the bound address as `aicost up` does on all its ports. Required: loopback is
   * reachable from any web page.
   */
  authorize: Authorize;
  /**
   * The UI's own secret (`aicost up` makes one at each start; never the store's SQL password).
   * When set, every request needs a session: a browser brings a one-time code made with
   * `loginCode(sessionSecret)` in the URL once (`/?token=<code>`, what `aicost ui` prints), is
   * redirected to the same URL without it and keeps a random session id in an HttpOnly,
   * SameSite=Strict cookie named after the port. See ./login.ts.
   */
  sessionSecret?: string;
  /** Where the built assets are. Default: this package's dist/web/. */
  assetsDir?: string;
  /** Per-query limits on the engine (seconds, bytes). */
  maxExecutionSeconds?: number;
  maxMemoryBytes?: number;
  /** Queries slower than this, waiting for the engine included, are logged (default 2000 ms). */
  slowQueryMs?: number;
  log?: (message: string) => void;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/** The URL parameter that carries a one-time login code. */
export const TOKEN_PARAM = 'token';

/** The session cookie of the UI on `port`: cookies are not kept apart by port, their names are. */
function sessionCookie(port: number | undefined): string {
  return `aicost_ui_${port ?? 0}`;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function defaultAssetsDir(): string {
  // dist/index.js (or .cjs) sits next to dist/web/.
  return fileURLToPath(new URL('./web/', import.meta.url));
}

/** The built files, read once at start (a few hundred KiB; the UI is served from memory). */
function loadAssets(dir: string): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as string[];
  for (const file of manifest) assets.set(`/${file}`, readFileSync(`${dir}/${file}`));
  return assets;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', {
    'cache-control': 'no-store',
  });
}

/** Longer URLs get a 414 (Node itself refuses headers past 16 KiB with a 431). */
const MAX_URL_LENGTH = 8 * 1024;

/** The API calls that take a time range and filters. */
const RANGED_APIS = new Set([
  '/api/overview',
  '/api/detail',
  '/api/economics',
  '/api/reconciliation',
  '/api/options',
  '/api/requests',
]);

/** A 404 for anything else (a page route gets index.html: the browser routes it). */
const PAGE_ROUTE =
  /^\/(|overview|requests|economics|reconciliation|features\/[^/]+|customers\/[^/]+|traces\/[0-9a-fA-F]{32})$/;

export function createUiServer(options: UiServerOptions): Server {
  const { engine } = options;
  const { authorize } = options;
  if (typeof authorize !== 'function') {
    // Loopback is reachable from any web page: a UI without the browser checks is never served.
    throw new TypeError(
      'createUiServer needs an authorize hook (e.g. browserRequestsFrom(bound, { navigation: true }))',
    );
  }
  const assets = loadAssets(options.assetsDir ?? defaultAssetsDir());
  const log = options.log ?? (() => {});
  const logins = options.sessionSecret === undefined ? undefined : new LoginSessions(options.sessionSecret);
  // Set before the engine's read-only switch; the engine's own read limits are ceilings these stay under.
  const settings = {
    output_format_json_quote_decimals: '1',
    max_execution_time: String(options.maxExecutionSeconds ?? 20),
    max_memory_usage: String(options.maxMemoryBytes ?? 1024 * 1024 * 1024),
  };

  async function rows(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const began = performance.now();
    const result = await engine.queryReadOnly(sql, { format: 'JSONEachRow', params, settings });
    const elapsed = performance.now() - began;
    if (elapsed >= (options.slowQueryMs ?? 2000)) {
      log(`slow UI query (${elapsed.toFixed(0)} ms): ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    return result
      .text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async function runAll(
    queries: Record<string, string>,
    range: TimeRange,
    selected: Selection,
  ): Promise<Record<string, Record<string, unknown>[]>> {
    const params = queryParameters(range, selected);
    const entries = Object.entries(queries);
    const results = await Promise.all(
      entries.map(([, sql]) => rows(bindDashboardSql(sql, selected), params)),
    );
    return Object.fromEntries(entries.map(([key], index) => [key, results[index]!]));
  }

  async function api(path: string, params: URLSearchParams): Promise<unknown> {
    if (path === '/api/changes') return (await rows(CHANGES, {}))[0];
    const traceMatch = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (traceMatch) {
      const id = traceId(traceMatch[1]!);
      const [spans, requests] = await Promise.all([
        rows(TRACE_SPANS, { trace_id: id }),
        rows(TRACE_REQUESTS, { trace_id: id }),
      ]);
      return { trace_id: id, spans, requests };
    }
    if (!RANGED_APIS.has(path)) return undefined;
    const range = timeRange(params);
    const selected = selection(params);
    const answer = (data: unknown) => ({ range, selection: selected, ...(data as object) });
    if (path === '/api/overview') return answer({ panels: await runAll(PAGES.overview, range, selected) });
    if (path === '/api/detail') return answer({ panels: await runAll(PAGES.detail, range, selected) });
    if (path === '/api/economics') return answer({ panels: await runAll(PAGES.economics, range, selected) });
    if (path === '/api/reconciliation') {
      // Bills have no feature or customer: the dashboard's filters do not apply to these panels.
      return { range, selection: {}, panels: await runAll(PAGES.reconciliation, range, {}) };
    }
    if (path === '/api/options') return answer({ options: await runAll(FILTER_OPTIONS, range, selected) });
    if (path === '/api/requests') {
      const list = requestListParams(params);
      const sql = requestList(list);
      const bound = {
        ...queryParameters(range, selected),
        cost_min: list.costMin,
        cost_max: list.costMax,
        limit: list.limit,
        offset: list.offset,
      };
      const [page, totals] = await Promise.all([
        rows(bindDashboardSql(sql.rows, selected), bound),
        rows(bindDashboardSql(sql.count, selected), bound),
      ]);
      return answer({ rows: page, totals: totals[0], limit: list.limit, offset: list.offset });
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'only GET and HEAD\n', 'text/plain; charset=utf-8', { allow: 'GET, HEAD' });
      return;
    }
    const verdict = await authorize(req);
    if (!verdict.ok) {
      send(res, verdict.status, `${verdict.message}\n`, 'text/plain; charset=utf-8');
      return;
    }
    if ((req.url ?? '').length > MAX_URL_LENGTH) {
      send(res, 414, 'URL too long\n', 'text/plain; charset=utf-8');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://ui.invalid');
    if (logins !== undefined) {
      const cookie = sessionCookie(req.socket.localPort);
      const loggedIn = logins.has(cookieValue(req, cookie));
      // Only a GET spends a code: a HEAD (link previews, prefetchers) does not use up the user's login.
      const code = req.method === 'GET' ? url.searchParams.get(TOKEN_PARAM) : null;
      const session = code === null ? undefined : logins.redeem(code);
      if (session !== undefined || (code !== null && loggedIn)) {
        // The code leaves the address bar (and the history) at once.
        url.searchParams.delete(TOKEN_PARAM);
        send(res, 303, '', 'text/plain; charset=utf-8', {
          location: `${url.pathname}${url.search}`,
          'cache-control': 'no-store',
          ...(session === undefined
            ? {}
            : { 'set-cookie': `${cookie}=${session}; HttpOnly; SameSite=Strict; Path=/` }),
        });
        return;
      }
      if (!loggedIn) {
        send(
          res,
          401,
          'this aicost UI needs a login: open the address `aicost ui` prints (its code works once, within a minute)\n',
          'text/plain; charset=utf-8',
        );
        return;
      }
    }
    if (url.pathname.startsWith('/api/')) {
      try {
        const value = await api(url.pathname, url.searchParams);
        if (value === undefined) sendJson(res, 404, { error: `no API ${url.pathname}` });
        else sendJson(res, 200, value);
      } catch (err) {
        if (err instanceof BadRequest) sendJson(res, 400, { error: err.message });
        else {
          log(`UI query failed: ${(err as Error).message}`);
          sendJson(res, 500, { error: 'the query failed; see the aicost up log' });
        }
      }
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset !== undefined) {
      send(res, 200, asset, CONTENT_TYPES[extname(url.pathname)] ?? 'application/octet-stream', {
        'cache-control': 'no-cache',
      });
      return;
    }
    if (PAGE_ROUTE.test(url.pathname)) {
      send(res, 200, assets.get('/index.html')!, CONTENT_TYPES['.html']!, { 'cache-control': 'no-cache' });
      return;
    }
    send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
  }

  return createServer((req, res) => {
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined) {
      // The UI takes no request body: none is read, and the connection ends with the answer instead of
      // Node reading the body to the end to keep it.
      closeAfterAnswer(req, res);
    }
    handle(req, res).catch((err: unknown) => {
      log(`UI request failed: ${(err as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
}
