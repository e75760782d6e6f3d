/**
 * What the request view costs at ingest: inserts of exporter-shaped spans into
 * `otel.otel_traces` with the whole catalogue loaded (every span priced in SQL through the
 * alias and price joins, then rolled up), against the same inserts with `aicost_requests_mv`
 * detached (the exporter's own trace-id view only). Not a test.
 *
 *   pnpm -r --filter @aicost/core run build   # the bench imports @aicost/core's dist
 *   node_modules/.bin/node bench/schema-ingest.mjs [--reps 11]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { applyMigrations } from '../collector/sql/migrate.ts';
import { loadPrices } from '../collector/sql/prices.ts';

const require = createRequire(new URL('../test/package.json', import.meta.url));
const { Session, drainPending } = require('chdb');
const core = await import(
  pathToFileURL(require.resolve('@aicost/core')).href.replace(/index\.cjs$/, 'index.js')
);

const { values } = parseArgs({ options: { reps: { type: 'string', default: '11' } } });
const REPS = Number(values.reps);
const SIZES = [100, 1000, 5000];

const COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'ParentSpanId',
  'TraceState',
  'SpanName',
  'SpanKind',
  'ServiceName',
  'ResourceAttributes',
  'ScopeName',
  'ScopeVersion',
  'SpanAttributes',
  'Duration',
  'StatusCode',
  'StatusMessage',
  'Events.Timestamp',
  'Events.Name',
  'Events.Attributes',
  'Links.TraceId',
  'Links.SpanId',
  'Links.TraceState',
  'Links.Attributes',
];
const MODELS = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['gcp.gemini', 'gemini-2.5-pro'],
  ['aws.bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
  ['openai', 'an-unknown-model'],
];

let serial = 0;
/** A GenAI span without a cost (another instrumentation), in the exporter's row layout. */
function span() {
  serial += 1;
  const [provider, model] = MODELS[serial % MODELS.length];
  return JSON.stringify({
    Timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    TraceId: serial.toString(16).padStart(32, '0'),
    SpanId: serial.toString(16).padStart(16, '0'),
    ParentSpanId: '',
    TraceState: '',
    SpanName: `chat ${model}`,
    SpanKind: 'Client',
    ServiceName: 'checkout',
    ResourceAttributes: { 'service.name': 'checkout', 'deployment.environment.name': 'prod' },
    ScopeName: '@opentelemetry/instrumentation-openai',
    ScopeVersion: '0.22.0',
    SpanAttributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': String(1000 + (serial % 5000)),
      'gen_ai.usage.output_tokens': String(serial % 900),
      'gen_ai.usage.cache_read.input_tokens': String(serial % 700),
      'aicost.feature': ['search', 'summarize', 'chat'][serial % 3],
      'aicost.customer': `customer-${serial % 50}`,
    },
    Duration: '1250000000',
    StatusCode: 'Unset',
    StatusMessage: '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  });
}

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-ingest-'));
const session = new Session(dir);
const exec = (sql) => session.query(sql, 'Null');
exec("SET session_timezone = 'UTC'");
await applyMigrations(exec);
const pricer = core.createPricer({ pricesFile: false });
const rows = core.exportPriceRows({ pricer });
const aliases = core.exportPriceAliases({ pricer });
await loadPrices(exec, rows, aliases);
console.log(`catalogue loaded: ${rows.length} price rows, ${aliases.length} aliases`);

async function measure(label) {
  for (const size of SIZES) {
    const times = [];
    for (let rep = 0; rep < REPS + 1; rep += 1) {
      const body = Array.from({ length: size }, span).join('\n');
      const t0 = performance.now();
      await session.insert({
        table: 'otel.otel_traces',
        columns: COLUMNS,
        values: body,
        format: 'JSONEachRow',
      });
      if (rep > 0) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    console.log(
      `  ${label.padEnd(28)} ${String(size).padStart(5)} spans/insert: ${ms.toFixed(1).padStart(7)} ms (${Math.round((size / ms) * 1000).toLocaleString('en')} spans/s)`,
    );
  }
}

await measure('with aicost_requests_mv');
const [counts] = session
  .query(
    "SELECT count() AS n, countIf(price_source LIKE 'clickhouse:%') AS priced FROM otel.aicost_requests",
    'JSONEachRow',
  )
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
console.log(`  (${counts.n} requests, ${counts.priced} priced in SQL)`);
exec('DETACH TABLE otel.aicost_requests_mv');
await measure('exporter tables only');

session.close();
await drainPending();
rmSync(dir, { recursive: true, force: true });
