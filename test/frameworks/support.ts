/**
 * What the agent-framework suites share: aicost set up the way an application does it
 * (`register()` of @aicost/node, before any provider SDK is loaded), spans kept in memory,
 * the real schema on the embedded engine with the catalogue's prices, and the export of a
 * run's spans into it as the clickhouseexporter writes rows.
 *
 * The frameworks are loaded with `require` after `register()`: a CommonJS application
 * calling `register()` first, so require-in-the-middle patches the provider SDK the
 * framework itself requires (`openai`, `@anthropic-ai/sdk`), whatever copy that is.
 */
import { createRequire } from 'node:module';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createPricer, exportPriceAliases, exportPriceRows } from '../../packages/core/src/pricing/index.js';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import {
  type EngineSession,
  exporterSpanOf,
  type FinishedSpan,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';

export const requireFromTest = createRequire(import.meta.url);

/** The instrumentations `register()` loads are run from their build. */
export function buildInstrumentations(...names: string[]): void {
  ensureBuilt('core', ...names.map((name) => `instrumentation-${name}`));
}

export const COST_STATUS = 'aicost.cost.status';

/** Spans the cost processor or an aicost instrumentation priced (or tried to). */
export function costedSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.attributes[COST_STATUS] !== undefined);
}

export interface RequestRow {
  span_name: string;
  operation: string;
  model: string;
  feature: string;
  customer: string;
  cost_status: string;
  cost_total: string | null;
}

/** The real schema, migrated, with the catalogue's prices loaded (what `aicost up` starts with). */
export async function openPricedSchema(): Promise<EngineSession> {
  const engine = await openMigratedEngine();
  const pricer = createPricer({ pricesFile: false });
  await loadPriceRows(engine, exportPriceRows({ pricer }), exportPriceAliases({ pricer }));
  return engine;
}

/** Writes `spans` into `otel.otel_traces` as the exporter does and returns the request rows of their traces. */
export async function requestRowsOf(
  engine: EngineSession,
  spans: readonly ReadableSpan[],
): Promise<RequestRow[]> {
  await insertSpans(
    engine,
    spans.map((span) => exporterSpanOf(span as unknown as FinishedSpan)),
  );
  const traces = [...new Set(spans.map((span) => span.spanContext().traceId))];
  return engine.query<RequestRow>(
    `SELECT span_name, operation, model, feature, customer, cost_status, cost_total
     FROM otel.aicost_requests
     WHERE trace_id IN (${traces.map((id) => `'${id}'`).join(', ')})
     ORDER BY timestamp, span_name`,
  );
}

export function inMemoryExporter(): InMemorySpanExporter {
  return new InMemorySpanExporter();
}
