/**
 * Bytes per row on disk, after compression, of the tables that grow with traffic: the
 * figures behind collector/README.md "When to move to a cluster". Inserts exporter-shaped
 * GenAI spans (as aicost's instrumentations send them: usage, cost and attribution
 * attributes, a realistic resource) spread over one day, merges every table to one part per
 * partition (what the background merges reach), and reads system.parts. Not a test.
 *
 *   pnpm --filter @aicost/core --filter @aicost/schema run build
 *   node_modules/.bin/node bench/schema-capacity.mjs [--spans 200000] [--customers 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EXPORTER_TRACE_COLUMNS, exporterRow } from '../test/support/exporter-rows.ts';

const require = createRequire(new URL('../test/package.json', import.meta.url));
const { Session, drainPending } = require('chdb');
const { readSchema } = await import(
  pathToFileURL(require.resolve('@aicost/schema')).href.replace(/index\.cjs$/, 'index.js')
);

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '200000' },
    customers: { type: 'string', default: '2000' },
  },
});
const SPANS = Number(values.spans);
const CUSTOMERS = Number(values.customers);

const MODELS = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4o-mini-2024-07-18'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['gcp.gemini', 'gemini-2.5-pro'],
  ['aws.bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
];
const FEATURES = ['search', 'summarize', 'chat', 'classify', 'extract', 'translate', 'draft', 'agent'];
const SERVICES = ['checkout', 'support-bot', 'search-api', 'docs'];
const DAY = Date.UTC(2026, 11, 1);

/** A deterministic pseudo-random stream (xorshift32), so runs compare. */
let state = 2463534242;
function random() {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const hex = (length) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');

function span() {
  const [provider, model] = pick(MODELS);
  const input = 200 + Math.floor(random() * 8000);
  const output = Math.floor(random() * 1200);
  const cached = random() < 0.4 ? Math.floor(input * random()) : 0;
  const cost = (input * 2.5 + output * 10) / 1e6;
  const service = pick(SERVICES);
  return JSON.stringify(
    exporterRow({
      start: new Date(DAY + Math.floor(random() * 86_400_000)),
      traceId: hex(32),
      spanId: hex(16),
      parentSpanId: hex(16),
      name: `chat ${model}`,
      kind: 'Client',
      resource: {
        'service.name': service,
        'service.version': '1.42.0',
        'deployment.environment.name': 'prod',
        'telemetry.sdk.name': 'opentelemetry',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.version': '2.3.0',
        'host.name': `${service}-${Math.floor(random() * 12)}`,
        'process.pid': String(1000 + Math.floor(random() * 30000)),
      },
      scopeName: '@aicost/instrumentation-openai',
      scopeVersion: '0.1.0',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': provider,
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.response.id': `chatcmpl-${hex(24)}`,
        'gen_ai.response.finish_reasons': '["stop"]',
        'server.address': 'api.example.com',
        'gen_ai.usage.input_tokens': String(input),
        'gen_ai.usage.output_tokens': String(output),
        'gen_ai.usage.cache_read.input_tokens': String(cached),
        'aicost.feature': pick(FEATURES),
        'aicost.customer': `customer-${Math.floor(random() * CUSTOMERS)}`,
        'aicost.workflow': `wf-${Math.floor(random() * 20)}`,
        'aicost.cost.total': cost.toFixed(9),
        'aicost.cost.input': ((input * 2.5) / 1e6).toFixed(9),
        'aicost.cost.output': ((output * 10) / 1e6).toFixed(9),
        'aicost.cost.currency': 'USD',
        'aicost.cost.status': 'priced',
        'aicost.price.source': 'genai-prices',
        'aicost.price.version': 'genai-prices@0.1.8',
        'aicost.price.provider_id': provider,
        'aicost.price.model_id': model,
        'aicost.usage.source': 'response',
      },
      durationNs: BigInt(200_000_000 + Math.floor(random() * 8_000_000_000)),
      statusCode: random() < 0.02 ? 'Error' : 'Unset',
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-capacity-'));
const session = new Session(dir);
const exec = (sql) => session.query(sql, 'Null');
exec("SET session_timezone = 'UTC'");
for (const file of readSchema()) for (const statement of file.statements) exec(statement);

const BATCH = 10_000;
for (let done = 0; done < SPANS; done += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, SPANS - done) }, span).join('\n');
  await session.insert({
    table: 'otel.otel_traces',
    columns: EXPORTER_TRACE_COLUMNS,
    values: rows,
    format: 'JSONEachRow',
  });
}
const TABLES = [
  'otel_traces',
  'otel_traces_trace_id_ts',
  'aicost_requests',
  'aicost_rollup_hourly',
  'aicost_rollup_daily',
  'aicost_rollup_feature_daily',
  'aicost_rollup_customer_daily',
];
for (const table of TABLES) exec(`OPTIMIZE TABLE otel.${table} FINAL`);

const parts = session
  .query(
    `SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed,
            sum(bytes_on_disk) AS on_disk
     FROM system.parts WHERE database = 'otel' AND active AND table IN (${TABLES.map((t) => `'${t}'`).join(', ')})
     GROUP BY table ORDER BY table`,
    'JSONEachRow',
  )
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
console.log(
  `${SPANS} GenAI spans over one day, ${CUSTOMERS} customers, ${FEATURES.length} features, ${MODELS.length} models`,
);
console.log('table                          rows   bytes/row on disk   compressed   ratio');
for (const p of parts) {
  const rows = Number(p.rows);
  console.log(
    `${p.table.padEnd(30)} ${String(rows).padStart(7)}   ${(Number(p.on_disk) / rows).toFixed(1).padStart(17)}   ${(
      Number(p.compressed) / rows
    )
      .toFixed(1)
      .padStart(10)}   ${(Number(p.uncompressed) / Number(p.compressed)).toFixed(1).padStart(5)}x`,
  );
}
session.close();
await drainPending();
rmSync(dir, { recursive: true, force: true });
