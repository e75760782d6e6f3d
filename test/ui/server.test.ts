// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Grafana variable syntax (${var:format}) in SQL strings
/**
 * The UI server without a browser, on the Grafana suites' seed:
 * - its panels answer exactly what the dashboards answer: each dashboard panel the UI shows is
 *   also run here as Grafana and the plugin expand it (test/support/grafana.ts) and the rows
 *   must be identical, for All and for a selection with a quote in a value;
 * - hostile input: filter values that would end a string literal are data, malformed
 *   parameters get a 400 naming them, only GET/HEAD, long URLs refused;
 * - access: a Host that is not the bound address (DNS rebinding), a foreign Origin and a
 *   cross-site fetch are refused; the pages carry a CSP that allows no other origin.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITIONS } from '../../grafana/generator/dashboards.ts';
import { createUiServer } from '../../packages/ui/src/index.js';
import { bindDashboardSql } from '../../packages/ui/src/server/bind.js';
import { PAGES } from '../../packages/ui/src/server/queries.js';
import { CURRENT_FROM, CURRENT_TO, HOUR, type Selection, variables } from '../grafana/fixtures.js';
import { expandQuery } from '../support/grafana.js';
import { ASSETS_DIR, type SeededUi, startSeededUi } from './support.js';

let ui: SeededUi;
beforeAll(async () => {
  ui = await startSeededUi();
}, 120_000);
afterAll(async () => {
  await ui?.close();
});

const from = CURRENT_FROM.getTime() / 1000;
const to = CURRENT_TO.getTime() / 1000;
const RANGE = `from=${from}&to=${to}`;

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${ui.url}${path}`, { headers });
}

/** A GET with exactly these headers (fetch does not let a caller set Host). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${ui.url}${path}`, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end();
  });
}

async function json(path: string): Promise<any> {
  const response = await get(path);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/** Which dashboard panel a page key is, when it is one. */
function dashboardPanel(sql: string): string | undefined {
  for (const dashboard of DEFINITIONS) {
    for (const panel of dashboard.panels)
      if (panel.targets[0]?.rawSql === sql) return `${dashboard.uid} / ${panel.title}`;
  }
  return undefined;
}

describe('the same numbers as the dashboards', () => {
  const selections: Array<{ name: string; selection: Selection; query: string }> = [
    { name: 'All', selection: {}, query: '' },
    {
      name: 'a customer with a quote and two features',
      selection: { customer: ["o'reilly"], feature: ['search', 'chat'] },
      query: `&customer=${encodeURIComponent("o'reilly")}&feature=search&feature=chat`,
    },
  ];
  for (const { name, selection, query } of selections) {
    it(`every dashboard panel of the overview and detail pages, ${name}`, async () => {
      for (const page of ['overview', 'detail'] as const) {
        const answer = await json(`/api/${page}?${RANGE}${query}`);
        // The UI's bucket for a 3-day range is one hour: Grafana's interval then is the same.
        expect(answer.range.intervalSeconds).toBe(3600);
        let compared = 0;
        for (const [key, sql] of Object.entries(PAGES[page])) {
          if (dashboardPanel(sql) === undefined) continue;
          const expanded = expandQuery(sql, {
            from: CURRENT_FROM,
            to: CURRENT_TO,
            intervalMs: HOUR,
            variables: variables(selection),
          });
          const grafana = await ui.query(expanded);
          expect(answer.panels[key], `${page}.${key} (${dashboardPanel(sql)})`).toEqual(grafana);
          compared += 1;
        }
        expect(compared).toBeGreaterThanOrEqual(page === 'overview' ? 9 : 5);
      }
    }, 60_000);
  }
});

describe("binding the dashboards' SQL", () => {
  it('puts parameters where Grafana puts values, and "All" where nothing is selected', () => {
    const sql =
      "SELECT 1 FROM t WHERE $__timeFilter(hour) AND $__conditionalAll(if(feature = '', '(none)', feature) IN (${feature:singlequote}), $feature) AND $__conditionalAll(customer IN (${customer:singlequote}), $customer) AND bucket = toStartOfInterval(hour, INTERVAL greatest($__interval_s, 3600) second) AND day >= $__fromTime";
    const bound = bindDashboardSql(sql, { feature: ["x') OR 1=1 --"] });
    expect(bound).toBe(
      "SELECT 1 FROM t WHERE hour >= {from:DateTime('UTC')} AND hour <= {to:DateTime('UTC')} AND if(feature = '', '(none)', feature) IN ({feature:Array(String)}) AND 1=1 AND bucket = toStartOfInterval(hour, INTERVAL greatest({interval_s:UInt32}, 3600) second) AND day >= {from:DateTime('UTC')}",
    );
  });

  it('refuses a Grafana construct it does not know instead of passing it on', () => {
    expect(() => bindDashboardSql('SELECT $__timeGroup(hour, 1h)', {})).toThrow(/unsupported/);
    expect(() => bindDashboardSql('SELECT ${workflow:singlequote}', {})).toThrow(/unsupported/);
    expect(() => bindDashboardSql('SELECT 1 WHERE $__conditionalAll(1=1, $nobody)', {})).toThrow(
      /unsupported/,
    );
  });
});

describe('hostile input', () => {
  it('a filter value that would end a SQL string literal is only a value', async () => {
    for (const value of ["\\') OR 1=1 --", "' OR '1'='1", "x'); DROP TABLE otel.aicost_requests; --"]) {
      const query = `${RANGE}&customer=${encodeURIComponent(value)}`;
      const requests = await json(`/api/requests?${query}`);
      expect(requests.totals.request_count).toBe('0');
      const overview = await json(`/api/overview?${query}`);
      expect(overview.panels.requests[0].request_count).toBe('0');
    }
    const [stored] = await ui.query<{ n: string }>('SELECT toString(count()) AS n FROM otel.aicost_requests');
    expect(Number(stored!.n)).toBe(600);
  });

  it('malformed parameters get a 400 that names them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/overview?from=abc&to=1', /from/],
      ['/api/overview?from=10&to=5', /before/],
      ['/api/overview?from=1&to=99999999999', /to/],
      [`/api/requests?${RANGE}&sort=timestamp;DROP`, /sort/],
      [`/api/requests?${RANGE}&order=sideways`, /order/],
      [`/api/requests?${RANGE}&status=everything`, /status/],
      [`/api/requests?${RANGE}&cost_min=1e5`, /cost_min/],
      [`/api/requests?${RANGE}&cost_max=-1`, /cost_max/],
      [`/api/requests?${RANGE}&limit=100000`, /limit/],
      [`/api/overview?${RANGE}${'&feature=a'.repeat(101)}`, /feature/],
      [`/api/overview?${RANGE}&model=${'m'.repeat(1001)}`, /model/],
      ['/api/traces/not-a-trace', /trace id/],
      ['/api/traces/%E0%A4%A', /trace id/],
    ];
    for (const [path, message] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: string }).error, path).toMatch(message);
    }
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await get('/etc/passwd')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get(`/api/overview?${RANGE}&feature=${'a'.repeat(9000)}`)).status).toBe(414);
    const post = await fetch(`${ui.url}/api/overview?${RANGE}`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });
});

describe('the browser checks', () => {
  it('are not optional: a UI server without an authorize hook is refused', () => {
    const options = { engine: ui.engine, assetsDir: ASSETS_DIR } as unknown as Parameters<
      typeof createUiServer
    >[0];
    expect(() => createUiServer(options)).toThrow(/authorize/);
  });

  it('refuses a same-site request (another port of this host), unless it opens a page', async () => {
    expect(await rawGet('/api/changes', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).toBe(
      403,
    );
    expect(await rawGet('/requests', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' })).toBe(
      200,
    );
  });
});

describe('access', () => {
  it('refuses a foreign Host, a foreign Origin and a cross-site fetch; serves its own pages with a CSP', async () => {
    const port = new URL(ui.url).port;
    expect(await rawGet('/api/changes', { host: `attacker.example:${port}` })).toBe(403);
    expect(await rawGet('/', { host: 'attacker.example' })).toBe(403);
    expect(await rawGet('/', { host: `127.0.0.1:${Number(port) + 1}` })).toBe(403);
    expect((await get('/api/changes', { origin: 'http://attacker.example' })).status).toBe(403);
    expect((await get('/api/changes', { origin: `http://localhost:${Number(port) + 1}` })).status).toBe(403);
    expect(await rawGet('/api/changes', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' })).toBe(
      403,
    );
    // A link followed from elsewhere opens a page; its data then comes by same-origin calls.
    expect(await rawGet('/requests', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBe(
      200,
    );
    expect((await get('/api/changes', { origin: ui.url })).status).toBe(200);
    expect(await rawGet('/api/changes', { host: `localhost:${port}` })).toBe(200);

    const page = await get('/features/search');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/,
    );
    const html = await page.text();
    // Offline: every asset is the server's own.
    expect(html).not.toMatch(/https?:\/\//);
    expect((await get('/app.js')).status).toBe(200);
  });
});
