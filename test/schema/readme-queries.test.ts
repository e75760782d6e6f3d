/**
 * Every example query of collector/README.md ("Example queries") runs on seeded data and
 * returns what an independent JavaScript computation over the same seed says. The queries are
 * parsed out of the README, so the documentation and the test cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitStatements } from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costNanos, formatNanos, parseDecimal } from '../../packages/core/src/money/index.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import { ALIASES, aicostCostAttributes, callSpan, catalogueNanos, PRICES, prng } from './fixtures.js';

const README = fileURLToPath(new URL('../../collector/README.md', import.meta.url));

/** `-- example: <id>` SQL blocks of the README's "Example queries" section. */
function readmeExamples(): Map<string, string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('\n## Example queries');
  expect(start, 'README has an "Example queries" section').toBeGreaterThan(-1);
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next === -1 ? undefined : next);
  const examples = new Map<string, string>();
  for (const [, body] of section.matchAll(/```sql\n([\s\S]*?)```/g)) {
    const id = /^-- example: ([\w-]+)/.exec(body!)?.[1];
    expect(id, `every SQL block starts with "-- example: <id>":\n${body}`).toBeDefined();
    const statements = splitStatements(body!);
    expect(statements, id).toHaveLength(1);
    examples.set(id!, statements[0]!);
  }
  return examples;
}

// ---------------------------------------------------------------------------
// Seed: requests relative to now, every one with a known cost (or none)
// ---------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The instant the README queries run at: the 15th of last month, 12:00 UTC. A fixed point
 * inside a month (not the wall clock) gives every window (this month, last 7 and 30 days,
 * since day N) seeded rows on any date, e.g. on the 1st before the seed reaches back into the
 * month; last month keeps the rows well inside the request table's 400-day TTL.
 */
const NOW = (() => {
  const today = new Date();
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 15, 12);
})();
const sqlDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The README query as it would run at NOW: `now()` and `today()` (the only clock functions
 * the examples use; asserted) become that instant and its UTC day, so the README text stays
 * exactly what a user pastes.
 */
function atNow(sql: string): string {
  const pinned = sql
    .replaceAll('now()', `toDateTime('${sqlDateTime(NOW)}', 'UTC')`)
    .replaceAll('today()', `toDate('${sqlDateTime(NOW).slice(0, 10)}')`);
  expect(pinned, 'no other clock function left').not.toMatch(
    /\b(now|now64|today|yesterday|nowInBlock)\s*\(/i,
  );
  return pinned;
}

interface Model {
  provider: string;
  model: string;
  providerId?: string;
  modelId?: string;
}
const GPT4O: Model = { provider: 'openai', model: 'gpt-4o', providerId: 'openai', modelId: 'gpt-4o' };
const MINI: Model = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  providerId: 'openai',
  modelId: 'gpt-4o-mini',
};
const SONNET: Model = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-0',
  providerId: 'anthropic',
  modelId: 'claude-sonnet-4-0',
};
const UNKNOWN: Model = { provider: 'openai', model: 'gpt-internal-finetune' };
const MODELS = [GPT4O, GPT4O, MINI, MINI, MINI, SONNET, UNKNOWN];

interface Seeded {
  at: number;
  traceId: string;
  spanId: string;
  service: string;
  environment: string;
  feature: string;
  customer: string;
  workflow: string;
  model: Model;
  input: number;
  cacheRead: number;
  output: number;
  /** Recorded by the "SDK"; undefined for the unknown model. */
  cost?: { input: bigint; cacheRead: bigint; output: bigint; total: bigint };
}

function seed(): Seeded[] {
  const random = prng(2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const rows: Seeded[] = [];
  let trace = 0;
  while (rows.length < 600) {
    trace += 1;
    // Whole hours plus 30 minutes back from now: never within minutes of a query boundary.
    const at = NOW - (Math.floor(random() * 20 * 24) * HOUR + 30 * 60_000);
    const workflow = pick(['', 'onboarding', 'triage']);
    const feature = pick(['search', 'summarize', 'chat']);
    const customer = pick(['acme', 'globex', 'initech']);
    const service = pick(['checkout', 'support-bot']);
    const environment = random() < 0.85 ? 'prod' : 'staging';
    const spans = workflow === '' ? 1 : 1 + Math.floor(random() * 3);
    for (let s = 0; s < spans; s += 1) {
      const model = pick(MODELS);
      const input = 100 + Math.floor(random() * 20_000);
      const cacheRead = random() < 0.4 ? Math.floor(random() * input) : 0;
      const output = Math.floor(random() * 2_000);
      const row: Seeded = {
        at: at + s * 1000,
        traceId: trace.toString(16).padStart(32, '0'),
        spanId: `${trace.toString(16).padStart(12, '0')}${s.toString(16).padStart(4, '0')}`,
        service,
        environment,
        feature,
        customer,
        workflow,
        model,
        input,
        cacheRead,
        output,
      };
      if (model !== UNKNOWN) {
        // Odd nano amounts, as a negotiated price would give: 0.5x to 2x the catalogue's, near
        // enough for the request table to keep them (packages/schema/sql/016_cost_trust.sql).
        const factor = 500n + BigInt(Math.floor(random() * 1500));
        const scaled = (usage: { input: number; cacheRead?: number; output?: number }) =>
          (catalogueNanos(model.modelId!, usage) * factor) / 1000n;
        const costInput = scaled({ input: input - cacheRead }) + 1n;
        const costCacheRead = cacheRead > 0 ? scaled({ input: cacheRead, cacheRead }) + 3n : 0n;
        const costOutput = scaled({ input: 0, output }) + 7n;
        row.cost = {
          input: costInput,
          cacheRead: costCacheRead,
          output: costOutput,
          total: costInput + costCacheRead + costOutput,
        };
      }
      rows.push(row);
    }
  }
  return rows;
}

const SEED = seed();
let engine: EngineSession;
let examples: Map<string, string>;

beforeAll(async () => {
  examples = readmeExamples();
  engine = await openMigratedEngine();
  await loadPriceRows(engine, PRICES, ALIASES);
  await insertSpans(
    engine,
    SEED.map((row) =>
      callSpan({
        start: new Date(row.at),
        traceId: row.traceId,
        spanId: row.spanId,
        provider: row.model.provider,
        requestModel: row.model.model,
        service: row.service,
        resource: { 'deployment.environment.name': row.environment },
        usage: { input: row.input, cacheRead: row.cacheRead, output: row.output },
        attributes: {
          'aicost.feature': row.feature,
          'aicost.customer': row.customer,
          ...(row.workflow ? { 'aicost.workflow': row.workflow } : {}),
          ...(row.cost
            ? aicostCostAttributes({
                total: formatNanos(row.cost.total),
                input: formatNanos(row.cost.input),
                cacheRead: formatNanos(row.cost.cacheRead),
                output: formatNanos(row.cost.output),
                providerId: row.model.providerId!,
                modelId: row.model.modelId!,
              })
            : {}),
        },
      }),
    ),
  );
});
afterAll(async () => {
  await engine?.close();
});

// ---------------------------------------------------------------------------
// Independent expectations over the seed
// ---------------------------------------------------------------------------

const utcDay = (ms: number) => Math.floor(ms / DAY);
const monthStart = (() => {
  const d = new Date(NOW);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
})();
const thisMonth = (row: Seeded) => row.at >= monthStart;
const lastDays = (days: number) => (row: Seeded) => row.at >= NOW - days * DAY;
const sinceDay = (days: number) => (row: Seeded) => utcDay(row.at) >= utcDay(NOW) - days;
const usd = (nanos: bigint) => formatNanos(nanos);
const sumCost = (rows: Seeded[]) => rows.reduce((total, row) => total + (row.cost?.total ?? 0n), 0n);
const priced = (rows: Seeded[]) => rows.filter((row) => row.cost);

function groupBy<K extends string>(rows: Seeded[], key: (row: Seeded) => K): Map<K, Seeded[]> {
  const groups = new Map<K, Seeded[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}
const byCostDesc = (a: { cost: bigint | null; key: string }, b: { cost: bigint | null; key: string }) =>
  Number((b.cost ?? -1n) - (a.cost ?? -1n)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Catalogue line cost (JS rule), for re-pricing and cache savings. */
const PRICE = {
  'gpt-4o': { input: '2.5', cacheRead: '1.25', output: '10' },
  'gpt-4o-mini': { input: '0.15', cacheRead: '0.075', output: '0.6' },
  'claude-sonnet-4-0': { input: '3', cacheRead: '0.3', output: '15' },
} as Record<string, { input: string; cacheRead: string; output: string }>;
const line = (tokens: number, price: string) => costNanos(tokens, parseDecimal(price)!);

type Rows = Record<string, unknown>[];
const EXPECTATIONS: Record<string, (rows: Rows) => void> = {
  'cost-per-customer-per-feature': (rows) => {
    const data = SEED.filter((r) => thisMonth(r) && r.environment === 'prod');
    const want = [...groupBy(data, (r) => `${r.customer}|${r.feature}`)]
      .map(([key, group]) => ({
        key,
        cost: priced(group).length ? sumCost(group) : null,
        requests: group.length,
        unpriced: group.filter((r) => !r.cost).length,
      }))
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        customer: w.key.split('|')[0],
        feature: w.key.split('|')[1],
        cost_usd: w.cost === null ? null : usd(w.cost),
        requests: String(w.requests),
        unpriced_requests: String(w.unpriced),
      })),
    );
  },
  'top-10-costliest-requests': (rows) => {
    const want = priced(SEED.filter(lastDays(7)))
      .sort((a, b) => Number(b.cost!.total - a.cost!.total) || (a.traceId < b.traceId ? -1 : 1))
      .slice(0, 10);
    expect(rows.map((r) => [r.trace_id, r.cost_usd, r.model, r.customer])).toEqual(
      want.map((w) => [w.traceId, usd(w.cost!.total), w.model.model, w.customer]),
    );
  },
  'cost-per-request-around-release': (rows) => {
    const released = NOW - 3 * DAY;
    const data = SEED.filter((r) => r.feature === 'search' && r.at >= released - 14 * DAY);
    const want = (['before', 'after'] as const)
      .map((period) => {
        const group = data.filter((r) => (r.at < released ? 'before' : 'after') === period);
        const cost = sumCost(group);
        return {
          period,
          requests: String(group.length),
          cost_usd: usd(cost),
          cost_per_request_usd: usd(cost / BigInt(priced(group).length)),
        };
      })
      .filter((w) => w.requests !== '0')
      .sort((a, b) => (a.period < b.period ? 1 : -1));
    expect(rows).toEqual(want);
    expect(rows).toHaveLength(2);
  },
  'cache-savings': (rows) => {
    const data = priced(SEED.filter((r) => thisMonth(r) && r.cacheRead > 0));
    const want = [...groupBy(data, (r) => `${r.feature}|${r.model.model}`)]
      .map(([key, group]) => {
        const atInput = group.reduce((t, r) => t + line(r.cacheRead, PRICE[r.model.model]!.input), 0n);
        const charged = group.reduce((t, r) => t + r.cost!.cacheRead, 0n);
        return {
          key,
          cost: atInput - charged,
          tokens: group.reduce((t, r) => t + r.cacheRead, 0),
        };
      })
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        feature: w.key.split('|')[0],
        model: w.key.split('|')[1],
        cache_read_tokens: String(w.tokens),
        saved_usd: usd(w.cost),
      })),
    );
  },
  'premium-model-features': (rows) => {
    const data = priced(SEED.filter(lastDays(30))).filter((r) => r.model === GPT4O || r.model === SONNET);
    const want = [...groupBy(data, (r) => `${r.feature}|${r.model.modelId}`)]
      .map(([key, group]) => ({ key, cost: sumCost(group), requests: group.length }))
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        feature: w.key.split('|')[0],
        model: w.key.split('|')[1],
        requests: String(w.requests),
        cost_usd: usd(w.cost!),
      })),
    );
  },
  'unpriced-share': (rows) => {
    const data = SEED.filter(sinceDay(30));
    const want = [...groupBy(data, (r) => r.service)]
      .map(([service, group]) => {
        const unpriced = group.filter((r) => !r.cost).length;
        return {
          service,
          unpriced_requests: String(unpriced),
          requests: String(group.length),
          unpriced_percent: Math.round((10000 * unpriced) / group.length) / 100,
        };
      })
      .sort((a, b) => b.unpriced_percent - a.unpriced_percent || (a.service < b.service ? -1 : 1));
    expect(rows).toEqual(want);
  },
  'unpriced-reasons': (rows) => {
    const unpriced = SEED.filter((r) => lastDays(30)(r) && !r.cost);
    expect(rows).toEqual([
      {
        reason: 'unknown_model',
        provider: 'openai',
        model: UNKNOWN.model,
        requests: String(unpriced.length),
      },
    ]);
  },
  'spend-by-provider': (rows) => {
    const data = SEED.filter(thisMonth);
    const want = [...groupBy(data, (r) => r.model.provider)]
      .map(([key, group]) => ({ key, cost: sumCost(group), requests: group.length }))
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({ provider: w.key, cost_usd: usd(w.cost!), requests: String(w.requests) })),
    );
  },
  'daily-burn': (rows) => {
    const days = [...groupBy(SEED.filter(sinceDay(30)), (r) => String(utcDay(r.at)))]
      .map(([day, group]) => ({ day: Number(day), cost: sumCost(group) }))
      .sort((a, b) => a.day - b.day);
    const want = days.map((d, i) => {
      const window = days.slice(Math.max(0, i - 6), i + 1);
      const total = window.reduce((t, w) => t + w.cost, 0n);
      return {
        day: new Date(d.day * DAY).toISOString().slice(0, 10),
        cost_usd: usd(d.cost),
        avg_7d_usd: usd(total / BigInt(window.length)),
      };
    });
    expect(rows).toEqual(want);
  },
  'cost-per-workflow-run': (rows) => {
    const data = SEED.filter((r) => r.workflow !== '' && lastDays(30)(r));
    const want = [...groupBy(data, (r) => r.workflow)]
      .map(([workflow, group]) => {
        const runs = [...groupBy(group, (r) => r.traceId).values()].map(sumCost);
        const cost = runs.reduce((t, c) => t + c, 0n);
        return {
          key: workflow,
          cost,
          runs: runs.length,
          avg: cost / BigInt(runs.length),
          // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max does not take
          max: runs.reduce((m, c) => (c > m ? c : m), 0n),
        };
      })
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        workflow: w.key,
        runs: String(w.runs),
        cost_usd: usd(w.cost!),
        avg_run_usd: usd(w.avg),
        max_run_usd: usd(w.max),
      })),
    );
  },
  'p95-cost-per-request': (rows) => {
    const data = priced(SEED.filter(lastDays(30)));
    // quantileExact(level): the element at floor(level * n) of the sorted values.
    const quantile = (sorted: bigint[], level: number) => sorted[Math.floor(level * sorted.length)]!;
    const want = [...groupBy(data, (r) => r.feature)]
      .map(([feature, group]) => {
        const costs = group.map((r) => r.cost!.total).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return { key: feature, cost: quantile(costs, 0.95), p50: quantile(costs, 0.5), n: costs.length };
      })
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        feature: w.key,
        priced_requests: String(w.n),
        p50_usd: usd(w.p50),
        p95_usd: usd(w.cost!),
      })),
    );
  },
  'unit-cost': (rows) => {
    const data = SEED.filter(sinceDay(7));
    const want = [...groupBy(data, (r) => `${r.feature}|${r.model.model}`)]
      .map(([key, group]) => {
        const n = priced(group).length;
        return { key, cost: n ? sumCost(group) : null, requests: group.length, n };
      })
      .sort(byCostDesc);
    expect(rows).toEqual(
      want.map((w) => ({
        feature: w.key.split('|')[0],
        model: w.key.split('|')[1],
        requests: String(w.requests),
        cost_usd: w.cost === null ? null : usd(w.cost),
        cost_per_request_usd: w.cost === null ? null : usd(w.cost / BigInt(w.n)),
      })),
    );
  },
  'repriced-month': (rows) => {
    const data = priced(SEED.filter(thisMonth));
    const want = [...groupBy(data, (r) => r.model.model)]
      .map(([model, group]) => {
        const recorded = sumCost(group);
        const price = PRICE[model]!;
        const repriced = group.reduce(
          (t, r) =>
            t +
            line(r.input - r.cacheRead, price.input) +
            line(r.cacheRead, price.cacheRead) +
            line(r.output, price.output),
          0n,
        );
        return {
          model,
          recorded_usd: usd(recorded),
          at_todays_prices_usd: usd(repriced),
          difference_usd: usd(repriced - recorded),
        };
      })
      .sort((a, b) => (a.model < b.model ? -1 : 1));
    expect(rows).toEqual(want);
  },
};

describe('collector/README.md example queries', () => {
  it('are all checked here, and at least ten', () => {
    expect([...examples.keys()].sort()).toEqual(Object.keys(EXPECTATIONS).sort());
    expect(examples.size).toBeGreaterThanOrEqual(10);
  });

  it('have seed data in every window they look at', () => {
    // NOW is the 15th at noon: 14.5 of the seed's 20 days fall in its month.
    expect(SEED.filter(thisMonth).length).toBeGreaterThan(SEED.length / 2);
    expect(SEED.filter(lastDays(7)).length).toBeGreaterThan(SEED.length / 4);
    expect(SEED.filter((row) => !thisMonth(row)).length).toBeGreaterThan(20);
  });

  it('all read the clock, which the test pins', () => {
    for (const [id, sql] of examples) expect(atNow(sql), id).not.toBe(sql);
  });

  for (const id of Object.keys(EXPECTATIONS)) {
    it(`${id} returns the expected result`, () => {
      const sql = examples.get(id);
      expect(sql, `README example ${id}`).toBeDefined();
      EXPECTATIONS[id]!(engine.query(atNow(sql!)));
    });
  }
});
