/**
 * Rollups vs raw: 10 million requests over 30 days in the embedded engine, then "cost by
 * feature" and "cost by customer" over the 30 days from the raw request table and from the
 * hourly and daily rollups, side by side, several repetitions, median.
 *
 *   node_modules/.bin/node bench/schema-rollups.mjs [--requests 10000000] [--reps 7]
 *
 * The requests are generated in SQL (`INSERT INTO otel.aicost_requests SELECT ... FROM
 * numbers()`), which fires the rollup materialized views exactly as ingest does. The data has
 * the correlations of a real product: a feature belongs to one service and team and runs on
 * one or two models; customers follow a skewed (power-law) distribution. Not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// chdb is a dependency of the test workspace package, not of the root.
const require = createRequire(new URL('../test/package.json', import.meta.url));
const { Session, drainPending } = require('chdb');
// The schema package's build (pnpm --filter @aicost/schema run build).
const { readSchema } = await import(
  pathToFileURL(require.resolve('@aicost/schema')).href.replace(/index\.cjs$/, 'index.js')
);

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000000' },
    reps: { type: 'string', default: '7' },
    chunk: { type: 'string', default: '1000000' },
  },
});
const REQUESTS = Number(values.requests);
const REPS = Number(values.reps);
const CHUNK = Number(values.chunk);

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-rollups-'));
const session = new Session(dir);
const exec = (sql) => session.query(sql, 'Null');
const rows = (sql) =>
  session
    .query(sql, 'JSONEachRow')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
exec("SET session_timezone = 'UTC'");
exec('SET output_format_json_quote_decimals = 1');
exec('SET output_format_json_quote_64bit_integers = 1');
exec('SET output_format_decimal_trailing_zeros = 1');
// The schema files as a new database gets them.
for (const file of readSchema()) for (const statement of file.statements) exec(statement);

const info = rows("SELECT version() AS version, getSetting('max_threads') AS threads")[0];
console.log(`engine ${info.version}, max_threads ${info.threads}, ${REQUESTS.toLocaleString('en')} requests`);

// --- generate -------------------------------------------------------------
const generate = (offset, count) => `
INSERT INTO otel.aicost_requests
    (timestamp, trace_id, span_id, service, environment, provider, operation, request_model, response_model,
     model, has_usage, input_tokens, output_tokens, cache_read_tokens, request_units, currency,
     cost_total, cost_input, cost_cache_read, cost_cache_write, cost_output, cost_other,
     cost_status, cost_status_reason, price_source, price_version, feature, customer, workflow, team,
     duration_ns, status_code)
WITH
    cityHash64(number, 1) AS h1,
    cityHash64(number, 2) AS h2,
    cityHash64(number, 3) AS h3,
    h1 % 12 AS f,
    (f + if(h2 % 3 = 0, 1, 0)) % 6 AS m,
    h3 % 100 >= 2 AS priced,
    toDecimal128(h2 % 20000000, 9) / 1000000000 AS c_input,
    toDecimal128(h3 % 2000000, 9) / 1000000000 AS c_cache,
    toDecimal128(h1 % 30000000, 9) / 1000000000 AS c_output
SELECT
    now64(9, 'UTC') - toIntervalNanosecond(intDiv(h1, 7) % (30 * 86400 * 1000000000)) AS timestamp,
    hex(h1) AS trace_id,
    hex(h2) AS span_id,
    ['checkout', 'support-bot', 'search-api'][f % 3 + 1] AS service,
    if(h2 % 10 = 0, 'staging', 'prod') AS environment,
    ['openai', 'openai', 'anthropic', 'gcp.gemini', 'openai', 'aws.bedrock'][m + 1] AS provider,
    if(f = 0, 'embeddings', 'chat') AS operation,
    ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-0', 'gemini-2.5-pro', 'gpt-4.1', 'amazon.nova-pro-v1:0'][m + 1] AS request_model,
    request_model AS response_model,
    request_model AS model,
    true AS has_usage,
    h2 % 8000 AS input_tokens,
    h3 % 1500 AS output_tokens,
    h1 % 2000 AS cache_read_tokens,
    1 AS request_units,
    'USD' AS currency,
    if(priced, c_input + c_cache + c_output, NULL) AS cost_total,
    if(priced, c_input, NULL) AS cost_input,
    if(priced, c_cache, NULL) AS cost_cache_read,
    if(priced, toDecimal128(0, 9), NULL) AS cost_cache_write,
    if(priced, c_output, NULL) AS cost_output,
    if(priced, toDecimal128(0, 9), NULL) AS cost_other,
    if(priced, 'priced', 'unpriced') AS cost_status,
    if(priced, '', 'unknown_model') AS cost_status_reason,
    if(priced, 'genai-prices', '') AS price_source,
    if(priced, 'genai-prices@0.1.8', '') AS price_version,
    ['search', 'summarize', 'chat-assistant', 'classify', 'extract', 'translate', 'draft-reply',
     'triage', 'rerank', 'autocomplete', 'moderation', 'insights'][f + 1] AS feature,
    -- Power law: a few customers make most requests (500 customers).
    concat('customer-', toString(toUInt32(500 * pow((h3 % 1000003) / 1000003, 3)))) AS customer,
    ['', 'onboarding', 'ticket-triage', 'report', 'agent-loop'][(f + h2 % 2) % 5 + 1] AS workflow,
    ['growth', 'support', 'search', 'platform'][f % 4 + 1] AS team,
    h2 % 5000000000 AS duration_ns,
    if(h3 % 50 = 0, 'Error', 'Unset') AS status_code
FROM numbers(${offset}, ${count})`;

let started = performance.now();
for (let offset = 0; offset < REQUESTS; offset += CHUNK) {
  exec(generate(offset, Math.min(CHUNK, REQUESTS - offset)));
}
const insertSeconds = (performance.now() - started) / 1000;
started = performance.now();
const ROLLUPS = [
  'aicost_rollup_hourly',
  'aicost_rollup_daily',
  'aicost_rollup_feature_daily',
  'aicost_rollup_customer_daily',
];
for (const table of ROLLUPS) exec(`OPTIMIZE TABLE otel.${table} FINAL`);
const optimizeSeconds = (performance.now() - started) / 1000;

const sizes = rows(`
  SELECT table, sum(rows) AS rows, formatReadableSize(sum(data_compressed_bytes)) AS compressed
  FROM system.parts WHERE database = 'otel' AND active AND (table = 'aicost_requests' OR table LIKE 'aicost_rollup_%')
  GROUP BY table ORDER BY table`);
console.log(
  `generated in ${insertSeconds.toFixed(1)} s (through the rollup MVs), rollups merged in ${optimizeSeconds.toFixed(1)} s`,
);
for (const size of sizes)
  console.log(`  ${size.table}: ${Number(size.rows).toLocaleString('en')} rows, ${size.compressed}`);

// --- exactness --------------------------------------------------------------
const [raw] = rows('SELECT sum(cost_total) AS total FROM otel.aicost_requests');
for (const table of ROLLUPS) {
  const [rollup] = rows(`SELECT sum(cost_total) AS total FROM otel.${table}`);
  if (rollup.total !== raw.total) throw new Error(`${table} total ${rollup.total} != raw ${raw.total}`);
}
console.log(`total cost ${raw.total} USD, equal to the nano in the raw table and every rollup`);

// --- queries ------------------------------------------------------------------
// Whole UTC days, so that every source covers exactly the same requests.
const START = 'toStartOfDay(now() - INTERVAL 30 DAY)';
const queries = {
  'by feature': {
    raw: `SELECT feature, sum(cost_total) AS cost FROM otel.aicost_requests
          WHERE environment = 'prod' AND timestamp >= ${START} GROUP BY feature ORDER BY cost DESC, feature`,
    hourly: `SELECT feature, sum(cost_total) AS cost FROM otel.aicost_rollup_hourly
             WHERE environment = 'prod' AND hour >= ${START} GROUP BY feature ORDER BY cost DESC, feature`,
    daily: `SELECT feature, sum(cost_total) AS cost FROM otel.aicost_rollup_daily
            WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY feature ORDER BY cost DESC, feature`,
    narrow: `SELECT feature, sum(cost_total) AS cost FROM otel.aicost_rollup_feature_daily
             WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY feature ORDER BY cost DESC, feature`,
    view: `SELECT feature, sum(cost_usd) AS cost FROM otel.aicost_cost_by_feature_daily
           WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY feature ORDER BY cost DESC, feature`,
  },
  'by customer': {
    raw: `SELECT customer, sum(cost_total) AS cost FROM otel.aicost_requests
          WHERE environment = 'prod' AND timestamp >= ${START} GROUP BY customer ORDER BY cost DESC, customer`,
    hourly: `SELECT customer, sum(cost_total) AS cost FROM otel.aicost_rollup_hourly
             WHERE environment = 'prod' AND hour >= ${START} GROUP BY customer ORDER BY cost DESC, customer`,
    daily: `SELECT customer, sum(cost_total) AS cost FROM otel.aicost_rollup_daily
            WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY customer ORDER BY cost DESC, customer`,
    narrow: `SELECT customer, sum(cost_total) AS cost FROM otel.aicost_rollup_customer_daily
             WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY customer ORDER BY cost DESC, customer`,
    view: `SELECT customer, sum(cost_usd) AS cost FROM otel.aicost_cost_by_customer_daily
           WHERE environment = 'prod' AND day >= toDate(${START}) GROUP BY customer ORDER BY cost DESC, customer`,
  },
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const VARIANTS = ['raw', 'hourly', 'daily', 'narrow', 'view'];
const LABEL = {
  raw: 'aicost_requests (raw)',
  hourly: 'aicost_rollup_hourly',
  daily: 'aicost_rollup_daily',
  narrow: 'aicost_rollup_{feature,customer}_daily',
  view: 'aicost_cost_by_{feature,customer}_daily',
};
for (const [question, variants] of Object.entries(queries)) {
  const times = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  const answers = {};
  // Interleaved repetitions: every variant sees the same machine load.
  for (let rep = 0; rep < REPS + 1; rep += 1) {
    for (const variant of VARIANTS) {
      const t0 = performance.now();
      answers[variant] = session.query(variants[variant], 'JSONEachRow');
      const ms = performance.now() - t0;
      if (rep > 0) times[variant].push(ms); // the first round warms caches
    }
  }
  for (const variant of VARIANTS) {
    if (answers[variant] !== answers.raw)
      throw new Error(`${question}: ${variant} answers differently from raw`);
  }
  const raw = median(times.raw);
  console.log(`\n${question} over 30 days (prod), median of ${REPS}, same answer from every source:`);
  for (const variant of VARIANTS) {
    const ms = median(times[variant]);
    const ratio = variant === 'raw' ? '' : ` (${(raw / ms).toFixed(1)}x faster)`;
    console.log(`  ${LABEL[variant].padEnd(40)} ${ms.toFixed(1).padStart(7)} ms${ratio}`);
  }
}

session.close();
await drainPending();
rmSync(dir, { recursive: true, force: true });
