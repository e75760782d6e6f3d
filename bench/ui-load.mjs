#!/usr/bin/env node
/**
 * Page load of the web UI (@aicost/ui) in headless Chromium over a store of generated model
 * calls: for each page, the time from navigation to the rendered page (every panel's data
 * fetched and drawn), next to the time of the page's API call alone, in one run; median of
 * --reps loads on a fresh tab each. Also prints the bundle the browser downloads. The store also
 * gets outcomes, revenue, capacity pools and a bill (3% over the traces) for the economics and
 * reconciliation pages.
 *
 *   node_modules/.bin/node bench/ui-load.mjs [--requests 100000] [--days 30] [--reps 7]
 *
 * Needs the built CLI and UI (packages/cli/dist, packages/ui/dist) and /usr/bin/chromium.
 * The calls are generated in SQL into `otel.otel_traces` (each under an HTTP server span), so
 * the request table and the rollups are filled by the schema's materialized views exactly as
 * at ingest; prices are the catalogue `aicost up` loads. Not a test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { LocalEngine, loadCatalogue } = await import(join(root, 'packages/cli/dist/index.js'));
const { createUiServer } = await import(join(root, 'packages/ui/dist/index.js'));
const { chromium } = createRequire(join(root, 'test/package.json'))('playwright-core');

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    days: { type: 'string', default: '30' },
    reps: { type: 'string', default: '7' },
  },
});
const REQUESTS = Number(values.requests);
const DAYS = Number(values.days);
const REPS = Number(values.reps);

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-ui-'));
const engine = await LocalEngine.open(dir);
await loadCatalogue((statement) => engine.query(statement), {});

const now = Math.floor(Date.now() / 1000);
const start = now - DAYS * 86_400;
const generated = performance.now();
// Model calls: 12 features, 500 customers (skewed), 4 models, caching on some; each under a
// server span of the same trace.
await engine.query(`
INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
  ResourceAttributes, ScopeName, SpanAttributes, Duration, StatusCode)
SELECT
  toDateTime64(${start} + intDiv(number * ${DAYS * 86_400}, ${REQUESTS}), 9, 'UTC') AS ts,
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 1)), 8))) || lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 2)), 8))),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 3)), 8))),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 4)), 8))),
  'chat ' || model, 'Client', service,
  map('service.name', service, 'deployment.environment.name', 'prod'),
  '@aicost/instrumentation-openai',
  map('gen_ai.operation.name', 'chat', 'gen_ai.provider.name', provider, 'gen_ai.request.model', model,
      'gen_ai.response.model', model, 'gen_ai.usage.input_tokens', toString(input),
      'gen_ai.usage.cache_read.input_tokens', toString(cached), 'gen_ai.usage.output_tokens', toString(output),
      'aicost.feature', feature, 'aicost.customer', customer),
  toUInt64(200000000 + number % 5000 * 1000000),
  if(number % 40 = 0, 'Error', 'Unset')
FROM (
  SELECT number,
    ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-0', 'gemini-2.5-flash'][number % 4 + 1] AS model,
    ['openai', 'openai', 'anthropic', 'google'][number % 4 + 1] AS provider,
    'feature-' || toString(number % 12) AS feature,
    'customer-' || toString(toUInt32(pow(cityHash64(number, 5) % 1000000 / 1000000, 3) * 500)) AS customer,
    'svc-' || toString(number % 3) AS service,
    100 + cityHash64(number, 6) % 20000 AS input,
    if(number % 3 = 0, intDiv(input, 2), 0) AS cached,
    cityHash64(number, 7) % 2000 AS output
  FROM numbers(${REQUESTS})
)`);
await engine.query(`
INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, Duration, StatusCode)
SELECT
  toDateTime64(${start} + intDiv(number * ${DAYS * 86_400}, ${REQUESTS}), 9, 'UTC'),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 1)), 8))) || lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 2)), 8))),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 4)), 8))),
  '', 'POST /api', 'Server', 'svc-' || toString(number % 3), toUInt64(9000000000), 'Unset'
FROM numbers(${REQUESTS})`);
// Business data for the economics and reconciliation pages: an outcome in every third trace,
// a month of revenue per customer, two capacity pools (the calls carry no pool: all idle), and
// a bill of what was traced per day, provider and model plus 3% (inserted as the billing
// import writes its rows).
await engine.query(`
INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
  ResourceAttributes, ScopeName, SpanAttributes, Duration, StatusCode)
SELECT
  toDateTime64(${start} + intDiv(number * ${DAYS * 86_400}, ${REQUESTS}) + 1, 9, 'UTC'),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 1)), 8))) || lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 2)), 8))),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 8)), 8))),
  lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 4)), 8))),
  'aicost.outcome', 'Internal', 'svc-' || toString(number % 3),
  map('service.name', 'svc-' || toString(number % 3), 'service.version', if(number < ${REQUESTS / 2}, '1.0.0', '1.1.0')),
  '@aicost/core/outcomes',
  map('aicost.outcome.name', 'task_done', 'aicost.feature', 'feature-' || toString(number % 12)),
  toUInt64(1000), 'Unset'
FROM numbers(${REQUESTS}) WHERE number % 3 = 0`);
await engine.query(`
INSERT INTO otel.aicost_revenue (customer, segment, plan, period_start, period_end, amount, currency, source)
SELECT 'customer-' || toString(number), ['smb', 'enterprise', 'startup'][number % 3 + 1], 'plan',
  toDate(${start}), toDate(${now}), toDecimal128(20 + number % 400, 9), 'USD', 'bench'
FROM numbers(501)`);
await engine.query(`
INSERT INTO otel.aicost_capacity (pool, tier, units, unit_usd_per_hour, valid_from, valid_to, source)
VALUES ('gpu-a', 'self_hosted', 4, 2.5, toStartOfHour(toDateTime(${start})), toStartOfHour(toDateTime(${now})), 'bench'),
       ('gpu-b', 'cloud_gpu', 2, 1.75, toStartOfHour(toDateTime(${start})), toStartOfHour(toDateTime(${now})), 'bench')`);
await engine.query(`
INSERT INTO otel.aicost_billing (row_hash, import_id, provider, source_format, model, model_name, usage_type,
  charge_type, day, unit, cost, cost_text, currency, cost_usd, source_file, source_line)
SELECT hex(SHA256(concat(toString(day), provider, model))), 'bench', provider, 'openai-costs', model, model, 'input',
  'usage', day, 'tokens', billed, toString(billed), 'USD', billed, 'bench', 1
FROM (
  SELECT day, provider, model, CAST(sum(cost_usd) * toDecimal128('1.03', 9) AS Decimal(38, 9)) AS billed
  FROM otel.aicost_traced_daily WHERE cost_usd IS NOT NULL GROUP BY day, provider, model
)`);
const stored = (await engine.query('SELECT count() FROM otel.aicost_requests')).text().trim();
console.log(
  `store: ${stored} model calls over ${DAYS} days (generated in ${((performance.now() - generated) / 1000).toFixed(1)} s)`,
);

const server = createUiServer({
  engine,
  host: '127.0.0.1',
  slowQueryMs: Number(process.env.SLOW_QUERY_MS ?? 2000),
  log: (message) => console.error(message),
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const trace = (
  await engine.query('SELECT trace_id FROM otel.aicost_requests ORDER BY cost_total DESC NULLS LAST LIMIT 1')
)
  .text()
  .trim();

const range = `from=${start}&to=${now}`;
const PAGES = [
  { name: 'Overview (30 days)', path: '/?range=30d', api: `/api/overview?${range}` },
  { name: 'Feature', path: '/features/feature-3?range=30d', api: `/api/detail?${range}&feature=feature-3` },
  {
    name: 'Customer',
    path: '/customers/customer-0?range=30d',
    api: `/api/detail?${range}&customer=customer-0`,
  },
  { name: 'Requests (50 rows)', path: '/requests?range=30d', api: `/api/requests?${range}` },
  {
    name: 'Requests, sorted by cost',
    path: '/requests?range=30d&sort=cost',
    api: `/api/requests?${range}&sort=cost`,
  },
  { name: 'Trace', path: `/traces/${trace}`, api: `/api/traces/${trace}` },
  { name: 'Economics (7 queries)', path: '/economics?range=30d', api: `/api/economics?${range}` },
  {
    name: 'Reconciliation (2 queries)',
    path: '/reconciliation?range=30d',
    api: `/api/reconciliation?${range}`,
  },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function loadOnce(path, rendered = true) {
  const page = await context.newPage();
  const began = performance.now();
  await page.goto(`${base}${path}`);
  if (rendered) await page.waitForFunction(() => document.body.dataset.ready !== undefined);
  const elapsed = performance.now() - began;
  await page.close();
  return elapsed;
}

async function apiOnce(path) {
  const began = performance.now();
  const response = await fetch(`${base}${path}`);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return performance.now() - began;
}

// The browser's own cost of a tab and a navigation, for scale: a static file of the server.
await loadOnce('/favicon.svg', false);
const blank = [];
for (let rep = 0; rep < REPS; rep += 1) blank.push(await loadOnce('/favicon.svg', false));
console.log(`\nnew tab + static file (browser overhead): ${median(blank).toFixed(0)} ms`);

console.log(
  `\n${'page'.padEnd(28)} ${'load ms'.padStart(8)} ${'API ms'.padStart(8)} ${'load/API'.padStart(9)}`,
);
for (const { name, path, api } of PAGES) {
  await loadOnce(path); // warm-up
  const loads = [];
  const apis = [];
  for (let rep = 0; rep < REPS; rep += 1) {
    loads.push(await loadOnce(path));
    apis.push(await apiOnce(api));
  }
  const load = median(loads);
  const answer = median(apis);
  console.log(
    `${name.padEnd(28)} ${load.toFixed(0).padStart(8)} ${answer.toFixed(0).padStart(8)} ${(load / answer).toFixed(2).padStart(9)}`,
  );
}

// The Economics page is the sum of its panels (the engine answers one query at a time): each
// panel's query alone, bound as the server binds it (the UI's source modules, run with Node's
// type stripping), on the engine's read-only connection.
const { PAGES: PANELS } = await import(join(root, 'packages/ui/src/server/queries.ts'));
const { bindDashboardSql, queryParameters } = await import(join(root, 'packages/ui/src/server/bind.ts'));
const params = queryParameters({ from: start, to: now, intervalSeconds: 21_600 }, {});
console.log(`\n${'economics panel, alone'.padEnd(28)} ${'ms'.padStart(8)} ${'rows'.padStart(8)}`);
for (const [key, sql] of Object.entries(PANELS.economics)) {
  const times = [];
  let rows = 0;
  for (let rep = 0; rep < REPS; rep += 1) {
    const began = performance.now();
    const text = (
      await engine.queryReadOnly(bindDashboardSql(sql, {}), {
        format: 'JSONEachRow',
        params,
        settings: { output_format_json_quote_decimals: '1' },
      })
    ).text();
    times.push(performance.now() - began);
    rows = text.split('\n').filter((line) => line !== '').length;
  }
  console.log(`${key.padEnd(28)} ${median(times).toFixed(0).padStart(8)} ${String(rows).padStart(8)}`);
}

const sizes = JSON.parse(readFileSync(join(root, 'packages/ui/dist/web/sizes.json'), 'utf8'));
console.log('\nbundle (what a page load downloads):');
for (const { file, bytes, gzip } of sizes)
  console.log(`  ${file.padEnd(14)} ${String(bytes).padStart(7)} B  gzip ${String(gzip).padStart(6)} B`);
const total = sizes.filter((s) => s.file !== 'licenses.txt');
console.log(
  `  ${'total'.padEnd(14)} ${String(total.reduce((a, s) => a + s.bytes, 0)).padStart(7)} B  gzip ${String(total.reduce((a, s) => a + s.gzip, 0)).padStart(6)} B`,
);

await browser.close();
server.close();
engine.close();
rmSync(dir, { recursive: true, force: true });
