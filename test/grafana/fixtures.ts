/**
 * Shared by the Grafana suites: the dashboards as committed, and the seeded model calls the
 * dashboards are checked against (deterministic: the same rows on every run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { formatNanos } from '../../packages/core/src/money/index.js';
import { aicostCostAttributes, callSpan, catalogueNanos, prng } from '../schema/fixtures.js';
import type { ExporterSpan } from '../support/chdb.js';
import { ALL_VALUE, type VariableState } from '../support/grafana.js';

export const DASHBOARD_DIR = new URL('../../grafana/dashboards/', import.meta.url);
export const DIMENSIONS = ['service', 'environment', 'provider', 'model', 'feature', 'customer'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Target {
  rawSql: string;
  format: number;
}
export interface PanelJson {
  title: string;
  type: string;
  targets: Target[];
  fieldConfig: {
    overrides: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: unknown }> }>;
  };
}
export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: Array<{ name: string; query: { rawSql: string } }> };
}

export const dashboards: DashboardJson[] = readdirSync(DASHBOARD_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(new URL(file, DASHBOARD_DIR), 'utf8')) as DashboardJson);

export function panel(uid: string, title: string): PanelJson {
  const found = dashboards.find((d) => d.uid === uid)?.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel "${title}" in ${uid}`);
  return found;
}

// ---------------------------------------------------------------------------
// Seed
// ---------------------------------------------------------------------------

export const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * The seed's first day: 2026-11-07 (a Saturday, 00:00 UTC), moved forward by whole weeks to
 * within the last five: the request table keeps 400 days and the engine drops rows past it as
 * they are inserted, so fixed dates would empty the dashboards one day. Same weekdays and
 * hours whatever the date; no month-based panel is affected by the month it falls in.
 */
export const SEED_FROM = (() => {
  const origin = Date.UTC(2026, 10, 7);
  const weeks = Math.max(0, Math.floor((Date.now() - 35 * DAY - origin) / (7 * DAY)));
  return new Date(origin + weeks * 7 * DAY);
})();
/** The dashboard range: the seed's last three days (the first three are the previous period). */
export const CURRENT_FROM = new Date(SEED_FROM.getTime() + 3 * DAY);
export const CURRENT_TO = new Date(SEED_FROM.getTime() + 6 * DAY - 1000);
/** The plugin's previous period: from - (to - from), to the second. */
export const PREVIOUS_FROM = new Date(
  CURRENT_FROM.getTime() - (CURRENT_TO.getTime() - CURRENT_FROM.getTime()),
);

export interface SeedRow {
  start: Date;
  service: string;
  environment: string;
  provider: string;
  model: string;
  feature: string;
  customer: string;
  workflow: string;
  /** The cost the request should get, null when unpriced. */
  nanos: bigint | null;
  /** What its cache reads saved against the input price, for requests priced by the schema. */
  savedNanos: bigint;
  traceId: string;
  spanId: string;
  error: boolean;
}

export const FEATURES = ['search', 'chat', 'summarize', ''];
// A quote in a customer id: the dashboards must escape it (`${customer:singlequote}`).
export const CUSTOMERS = ['acme', 'globex', "o'reilly", 'initech', ''];
export const WORKFLOWS = ['onboarding', 'support', ''];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** 600 model calls over six days (the range and the period before it), each with its HTTP parent span. */
export function seed(): { rows: SeedRow[]; spans: ExporterSpan[] } {
  const rows: SeedRow[] = [];
  const spans: ExporterSpan[] = [];
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // Six days: the three of the previous period and the three of the dashboard range.
  const first = SEED_FROM.getTime();
  for (let i = 0; i < 600; i += 1) {
    const start = new Date(first + Math.floor(random() * 6 * 24 * 60) * 60_000); // whole minutes
    const kind = pick(['sql-priced', 'sql-priced', 'recorded', 'unknown'] as const);
    const provider = kind === 'recorded' ? 'anthropic' : 'openai';
    const model =
      kind === 'sql-priced' ? 'gpt-4o' : kind === 'recorded' ? 'claude-sonnet-4-0' : 'gpt-unknown';
    const input = 100 + Math.floor(random() * 50_000);
    const cacheRead = kind === 'sql-priced' ? Math.floor(random() * input) : 0;
    const output = Math.floor(random() * 4000);
    const row: SeedRow = {
      start,
      service: pick(['checkout', 'support-bot']),
      environment: pick(['prod', 'staging']),
      provider,
      model,
      feature: pick(FEATURES),
      customer: pick(CUSTOMERS),
      workflow: pick(WORKFLOWS),
      nanos: null,
      savedNanos: 0n,
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      error: random() < 0.05,
    };
    const attributes: Record<string, string | number | boolean> = {};
    if (row.feature !== '') attributes['aicost.feature'] = row.feature;
    if (row.customer !== '') attributes['aicost.customer'] = row.customer;
    if (row.workflow !== '') attributes['aicost.workflow'] = row.workflow;
    if (kind === 'sql-priced') {
      // gpt-4o in the fixtures' catalogue: $2.5/M uncached input, $1.25/M cache reads, $10/M
      // output = 2500, 1250 and 10000 nano-USD per token; priced by the schema at ingest.
      row.nanos = BigInt(input - cacheRead) * 2500n + BigInt(cacheRead) * 1250n + BigInt(output) * 10_000n;
      row.savedNanos = BigInt(cacheRead) * (2500n - 1250n);
    } else if (kind === 'recorded') {
      // A cost the SDK computed and put on the span (odd nano amounts, 0.5x to 2x the catalogue's
      // for the usage, as a negotiated price gives: near enough for the schema to keep it,
      // packages/schema/sql/016_cost_trust.sql).
      const factor = 500n + BigInt(Math.floor(random() * 1500));
      row.nanos = (catalogueNanos(model, { input, output }) * factor) / 1000n + 7n;
      Object.assign(
        attributes,
        aicostCostAttributes({ total: formatNanos(row.nanos), input: formatNanos(row.nanos) }),
      );
    }
    if (random() < 0.3) {
      attributes['aicost.request.stream'] = true;
      attributes['aicost.response.time_to_first_chunk'] = Math.round(random() * 2000) / 1000;
    }
    if (row.error) attributes['error.type'] = pick(['429', 'timeout']);
    rows.push(row);
    spans.push(
      callSpan({
        start,
        provider,
        requestModel: model,
        responseModel: model,
        usage: { input, cacheRead, output },
        service: row.service,
        resource: { 'deployment.environment.name': row.environment },
        attributes,
        durationNs: BigInt(200 + Math.floor(random() * 5000)) * 1_000_000n,
        statusCode: row.error ? 'Error' : 'Unset',
        traceId: row.traceId,
        spanId: row.spanId,
      }),
      // The HTTP server span the model call ran under: in the trace, not a request.
      {
        start,
        traceId: row.traceId,
        spanId: hex(100_000 + i, 16),
        name: 'POST /api',
        kind: 'Server',
        resource: { 'service.name': row.service },
        durationNs: 9_000_000_000n,
      },
    );
    spans[spans.length - 2]!.parentSpanId = hex(100_000 + i, 16);
  }
  return { rows, spans };
}

export type Selection = Partial<Record<Dimension, string[]>>;

/** How the dashboards show an empty dimension value. */
export const shownValue = (value: string) => (value === '' ? '(none)' : value);

/** The dashboard variables for a selection; a dimension not selected is All. */
export function variables(selection: Selection): VariableState[] {
  return DIMENSIONS.map((name) => ({
    name,
    value: selection[name] ?? [ALL_VALUE],
    allValue: ALL_VALUE,
  }));
}
