/**
 * What the request views cost at ingest: inserts of exporter-shaped spans into
 * `otel.otel_traces` with the whole catalogue loaded, in three variants measured in turn
 * within each repetition (so that load on the machine hits them alike):
 * - `priced spans`: spans that arrive with their cost (`aicost.cost.*`, as aicost's
 *   instrumentations send them): request table and rollups, no price lookup;
 * - `spans without cost`: as other instrumentations send them: priced in SQL through the
 *   alias and price joins, then rolled up;
 * - `exporter tables only`: the same priced spans with `aicost_spans_mv` detached (the
 *   exporter's own trace-id view only).
 * Not a test.
 *
 * With the schema as it is, a fourth variant detaches the pricing views only
 * (`aicost_spans_to_price_mv`, `aicost_requests_priced_mv`): what priced spans would cost if
 * nothing were priced in SQL. `--schema-dir` runs another copy of the schema files (e.g. an
 * older commit's, for an A/B); its views reading otel_traces are found in system.tables.
 *
 *   pnpm -r --filter @aicost/core run build   # the bench imports @aicost/core's dist
 *   node_modules/.bin/node bench/schema-ingest.mjs [--reps 11] [--schema-dir dir]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EXPORTER_TRACE_COLUMNS, exporterRow } from '../test/support/exporter-rows.ts';

const require = createRequire(new URL('../test/package.json', import.meta.url));
// The schema package's build (pnpm --filter @aicost/schema run build): its SQL, loader and price loader.
const { loadPrices, readSchema } = await import(
  pathToFileURL(require.resolve('@aicost/schema')).href.replace(/index\.cjs$/, 'index.js')
);
const { Session, drainPending } = require('chdb');
const core = await import(
  pathToFileURL(require.resolve('@aicost/core')).href.replace(/index\.cjs$/, 'index.js')
);

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '11' },
    sizes: { type: 'string', default: '100,1000,5000' },
    'schema-dir': { type: 'string' },
  },
});
const REPS = Number(values.reps);
const SIZES = values.sizes.split(',').map(Number);

const MODELS = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['gcp.gemini', 'gemini-2.5-pro'],
  ['aws.bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
  ['openai', 'an-unknown-model'],
];

let serial = 0;
/** A GenAI span in the exporter's row layout, with a cost (aicost) or without (another instrumentation). */
function span(withCost) {
  serial += 1;
  const [provider, model] = MODELS[serial % MODELS.length];
  return JSON.stringify(
    exporterRow({
      start: new Date(),
      traceId: serial.toString(16).padStart(32, '0'),
      spanId: serial.toString(16).padStart(16, '0'),
      name: `chat ${model}`,
      kind: 'Client',
      resource: { 'service.name': 'checkout', 'deployment.environment.name': 'prod' },
      scopeName: '@opentelemetry/instrumentation-openai',
      scopeVersion: '0.22.0',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': provider,
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.usage.input_tokens': String(1000 + (serial % 5000)),
        'gen_ai.usage.output_tokens': String(serial % 900),
        'gen_ai.usage.cache_read.input_tokens': String(serial % 700),
        'aicost.feature': ['search', 'summarize', 'chat'][serial % 3],
        'aicost.customer': `customer-${serial % 50}`,
        ...(withCost
          ? {
              'aicost.cost.total': '0.004125',
              'aicost.cost.input': '0.002125',
              'aicost.cost.output': '0.002',
              'aicost.cost.currency': 'USD',
              'aicost.cost.status': 'priced',
              'aicost.price.source': 'genai-prices',
              'aicost.price.version': 'genai-prices@0.1.8',
              'aicost.price.provider_id': 'openai',
              'aicost.price.model_id': 'gpt-4o',
            }
          : {}),
      },
      durationNs: 1_250_000_000n,
      statusCode: 'Unset',
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-ingest-'));
const session = new Session(dir);
const exec = (sql) => session.query(sql, 'Null');
exec("SET session_timezone = 'UTC'");
// The schema files (or another copy's, --schema-dir) as a new database gets them.
for (const file of readSchema(values['schema-dir'] ? { sqlDir: values['schema-dir'] } : {}))
  for (const statement of file.statements) await exec(statement);
const pricer = core.createPricer({ pricesFile: false });
const rows = core.exportPriceRows({ pricer });
const aliases = core.exportPriceAliases({ pricer });
await loadPrices(exec, rows, aliases);
console.log(`catalogue loaded: ${rows.length} price rows, ${aliases.length} aliases`);

/** Materialized views of the schema (not the exporter's) and which of them price in SQL. */
const views = session
  .query(
    "SELECT name, as_select FROM system.tables WHERE database = 'otel' AND engine = 'MaterializedView'",
    'JSONEachRow',
  )
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const fromTraces = views
  .filter((v) => v.name !== 'otel_traces_trace_id_ts_mv' && /\bFROM otel\.otel_traces\b/.test(v.as_select))
  .map((v) => v.name);
const pricingViews = ['aicost_spans_to_price_mv', 'aicost_requests_priced_mv'].filter((name) =>
  views.some((v) => v.name === name),
);
const VARIANTS = [
  { label: 'priced spans', withCost: true, detach: [] },
  { label: 'spans without cost', withCost: false, detach: [] },
  ...(pricingViews.length > 0
    ? [{ label: 'priced, no pricing views', withCost: true, detach: pricingViews }]
    : []),
  { label: 'exporter tables only', withCost: true, detach: fromTraces },
];
console.log(`views reading otel_traces: ${fromTraces.join(', ')}`);

/** Wall and CPU milliseconds of one insert (CPU: this process, the engine's threads included). */
async function insertOnce(size, withCost) {
  const body = Array.from({ length: size }, () => span(withCost)).join('\n');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await session.insert({
    table: 'otel.otel_traces',
    columns: EXPORTER_TRACE_COLUMNS,
    values: body,
    format: 'JSONEachRow',
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

for (const size of SIZES) {
  const times = new Map(VARIANTS.map((v) => [v.label, { wall: [], cpu: [] }]));
  // One warm-up round, then REPS rounds of every variant in turn.
  for (let rep = 0; rep < REPS + 1; rep += 1) {
    for (const variant of VARIANTS) {
      for (const view of variant.detach) exec(`DETACH TABLE otel.${view}`);
      const { wall, cpu } = await insertOnce(size, variant.withCost);
      for (const view of variant.detach) exec(`ATTACH TABLE otel.${view}`);
      if (rep > 0) {
        times.get(variant.label).wall.push(wall);
        times.get(variant.label).cpu.push(cpu);
      }
    }
  }
  const base = times.get('exporter tables only');
  for (const { label } of VARIANTS) {
    const { wall, cpu } = times.get(label);
    const ms = median(wall);
    console.log(
      `  ${label.padEnd(26)} ${String(size).padStart(5)} spans/insert: ${ms.toFixed(1).padStart(7)} ms wall (${(ms / median(base.wall)).toFixed(2)}x), ${median(cpu).toFixed(1).padStart(7)} ms CPU (${(median(cpu) / median(base.cpu)).toFixed(2)}x exporter only)`,
    );
  }
}

const [counts] = session
  .query(
    "SELECT count() AS n, countIf(price_source LIKE 'clickhouse:%') AS priced, countIf(cost_total IS NULL) AS unpriced FROM otel.aicost_requests",
    'JSONEachRow',
  )
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
console.log(`  (${counts.n} requests: ${counts.priced} priced in SQL, ${counts.unpriced} unpriced)`);

session.close();
await drainPending();
rmSync(dir, { recursive: true, force: true });
