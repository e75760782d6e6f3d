/**
 * Duplicate inserts (packages/schema/sql/050_deduplication.sql): the collector delivers at least
 * once, so a batch whose INSERT failed or timed out is sent again. With the settings of the
 * writer's profile (collector/clickhouse/users.xml), the retried batch is dropped by every
 * table of the chain — otel_traces, aicost_requests and each rollup — while a different
 * batch still lands, and a batch that failed partway down the views is completed by its retry.
 * Totals are checked against sums computed here from the batches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNanos, parseNanos } from '../../packages/core/src/money/index.js';
import {
  type EngineSession,
  type ExporterSpan,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { ALIASES, aicostCostAttributes, callSpan, PRICES } from './fixtures.js';

const ROLLUPS = [
  'aicost_rollup_hourly',
  'aicost_rollup_daily',
  'aicost_rollup_feature_daily',
  'aicost_rollup_customer_daily',
] as const;

// Yesterday (UTC) at whole hours: inside every table's TTL on any date.
const DAY = 86_400_000;
const YESTERDAY = Math.floor(Date.now() / DAY) * DAY - DAY;
const at = (hour: number) => new Date(YESTERDAY + hour * 3_600_000);

let spanCounter = 0;
/** A batch as the exporter would send it: SDK-priced, SQL-priced, unknown-model and agent spans. */
function batch(recordedNanos: bigint[]): { spans: ExporterSpan[]; recordedNanos: bigint } {
  const spans: ExporterSpan[] = [];
  // Ids fixed here: the harness would draw a fresh trace id for every insert of a span without one.
  const next = () => {
    spanCounter += 1;
    return spanCounter.toString(16).padStart(16, '0');
  };
  const traceId = (spanCounter + 1).toString(16).padStart(32, '0');
  recordedNanos.forEach((nanos, i) => {
    spans.push(
      callSpan({
        start: at(i % 24),
        spanId: next(),
        traceId,
        provider: 'openai',
        requestModel: 'gpt-4o',
        usage: { input: 2000, output: 1000 },
        attributes: {
          'aicost.feature': 'search',
          'aicost.customer': `customer-${i % 3}`,
          ...aicostCostAttributes({ total: formatNanos(nanos), input: formatNanos(nanos) }),
        },
      }),
    );
  });
  // Priced here (1M input tokens of gpt-4o at $2.5/Mtok) and unpriced (unknown model).
  spans.push(
    callSpan({
      start: at(3),
      spanId: next(),
      traceId,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1_000_000, output: 0 },
      attributes: { 'aicost.feature': 'chat', 'aicost.customer': 'customer-0' },
    }),
    callSpan({
      start: at(4),
      spanId: next(),
      traceId,
      provider: 'openai',
      requestModel: 'gpt-internal-finetune',
      usage: { input: 10, output: 10 },
      attributes: { 'aicost.feature': 'chat' },
    }),
    // An agent span: in otel_traces only, never a request.
    callSpan({ start: at(5), spanId: next(), traceId, operation: 'invoke_agent', provider: 'openai' }),
  );
  return { spans, recordedNanos: recordedNanos.reduce((a, b) => a + b, 0n) + 2_500_000_000n };
}

interface Totals {
  spans: string;
  requests: string;
  unpriced: string;
  cost: string;
  rollups: Record<string, { requests: string; unpriced: string; cost: string }>;
}

function totals(): Totals {
  const one = <T>(sql: string) => engine.query<T>(sql)[0]!;
  const requests = one<{ n: string; unpriced: string; cost: string }>(
    "SELECT count() AS n, countIf(cost_status = 'unpriced') AS unpriced, sum(cost_total) AS cost FROM otel.aicost_requests",
  );
  const rollups = Object.fromEntries(
    ROLLUPS.map((table) => {
      const row = one<{ requests: string; unpriced: string; cost: string }>(
        `SELECT sum(requests) AS requests, sum(unpriced_requests) AS unpriced, sum(cost_total) AS cost FROM otel.${table}`,
      );
      return [table, row];
    }),
  );
  return {
    spans: one<{ n: string }>('SELECT count() AS n FROM otel.otel_traces').n,
    requests: requests.n,
    unpriced: requests.unpriced,
    cost: requests.cost,
    rollups,
  };
}

/** What the tables must hold after `batches` distinct batches landed once each. */
function expected(batches: { spans: ExporterSpan[]; recordedNanos: bigint }[]): Totals {
  const spans = batches.reduce((n, b) => n + b.spans.length, 0);
  const requests = spans - batches.length; // one agent span per batch
  const unpriced = batches.length; // one unknown model per batch
  const cost = formatNanos(batches.reduce((n, b) => n + b.recordedNanos, 0n));
  // Rollups print Decimal(38, 9) like the request table.
  const rollup = { requests: String(requests), unpriced: String(unpriced), cost };
  return {
    spans: String(spans),
    requests: String(requests),
    unpriced: String(unpriced),
    cost,
    rollups: Object.fromEntries(ROLLUPS.map((table) => [table, rollup])),
  };
}

let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, PRICES, ALIASES);
  // The writer's profile (collector/clickhouse/users.xml): synchronous, deduplicated inserts
  // down the views. The embedded engine defaults to async_insert = 1.
  engine.exec('SET async_insert = 0');
  engine.exec('SET insert_deduplicate = 1');
  engine.exec('SET deduplicate_blocks_in_dependent_materialized_views = 1');
});
afterAll(async () => {
  await engine?.close();
});

// Odd SDK amounts around the catalogue's $0.015 for each span's usage (2,000 input and 1,000
// output tokens of gpt-4o), within the factor of 10 the request table keeps (016_cost_trust.sql).
const first = batch([13_000_007n, 29_000_011n, 1_500_001n, 149_999_999n, 42_424_243n]);
const second = batch([7_777_777n, 123_456_789n]);

describe('a retried batch', () => {
  it('lands once: otel_traces, aicost_requests and every rollup', async () => {
    await insertSpans(engine, first.spans);
    const once = totals();
    expect(once).toEqual(expected([first]));
    // Sanity of the fixture: SDK costs plus the one span priced in SQL.
    expect(parseNanos(once.cost)).toBe(first.recordedNanos);

    await insertSpans(engine, first.spans);
    await insertSpans(engine, first.spans);
    expect(totals()).toEqual(once);
  });

  it('does not keep a different batch out, nor its own retry in', async () => {
    await insertSpans(engine, second.spans);
    expect(totals()).toEqual(expected([first, second]));
    await insertSpans(engine, second.spans);
    await insertSpans(engine, first.spans);
    expect(totals()).toEqual(expected([first, second]));
  });
});

describe('a batch that failed partway down the views', () => {
  it('is completed by its retry: what was written is dropped, what was missing lands, once', async () => {
    // A view on aicost_requests that fails while a switch row exists: otel_traces and
    // aicost_requests commit, the rollups do not, and the client sees an error and retries.
    engine.exec('CREATE TABLE otel.test_fail_switch (on UInt8) ENGINE = MergeTree ORDER BY tuple()');
    engine.exec('CREATE TABLE otel.test_fail_sink (n UInt64) ENGINE = Null');
    engine.exec(`CREATE MATERIALIZED VIEW otel.test_fail_mv TO otel.test_fail_sink AS
      SELECT throwIf((SELECT count() FROM otel.test_fail_switch) > 0, 'injected failure') + count() AS n
      FROM otel.aicost_requests`);
    try {
      const before = totals();
      const failing = batch([31_000_003n, 47_000_009n]);
      const requests = BigInt(failing.spans.length - 1);
      engine.exec('INSERT INTO otel.test_fail_switch VALUES (1)');
      await expect(insertSpans(engine, failing.spans)).rejects.toThrow(/injected failure/);
      const partial = totals();
      expect(BigInt(partial.requests) - BigInt(before.requests)).toBe(requests);
      // The engine runs the views of one table in no fixed order (by their UUIDs), and the batch
      // reaches aicost_requests in two blocks (spans with a cost, spans priced in SQL), so each
      // rollup holds none, part or all of the batch when the failing view throws.
      for (const table of ROLLUPS) {
        const added = BigInt(partial.rollups[table]!.requests) - BigInt(before.rollups[table]!.requests);
        expect(added >= 0n && added <= requests, `${table} added ${added}`).toBe(true);
      }

      engine.exec('TRUNCATE TABLE otel.test_fail_switch');
      await insertSpans(engine, failing.spans);
      await insertSpans(engine, failing.spans);
      const after = totals();
      expect(after.spans).toBe(partial.spans);
      expect(after.requests).toBe(partial.requests);
      for (const table of ROLLUPS) {
        const rollup = after.rollups[table]!;
        expect(BigInt(rollup.requests) - BigInt(before.rollups[table]!.requests), table).toBe(requests);
        expect(parseNanos(rollup.cost)! - parseNanos(before.rollups[table]!.cost)!, table).toBe(
          failing.recordedNanos,
        );
      }
    } finally {
      engine.exec('DROP VIEW IF EXISTS otel.test_fail_mv');
      engine.exec('DROP TABLE IF EXISTS otel.test_fail_sink');
      engine.exec('DROP TABLE IF EXISTS otel.test_fail_switch');
    }
  });
});

describe('insert_deduplication_token', () => {
  it('drops a retry with the same token through the views, and lets another token land', async () => {
    const third = batch([55_000_001n]);
    const before = totals();
    const insertWithToken = async (token: string) => {
      engine.exec(`SET insert_deduplication_token = '${token}'`);
      try {
        await insertSpans(engine, third.spans);
      } finally {
        engine.exec("SET insert_deduplication_token = ''");
      }
    };
    await insertWithToken('request-3');
    const once = totals();
    expect(BigInt(once.requests) - BigInt(before.requests)).toBe(BigInt(third.spans.length - 1));
    for (const table of ROLLUPS) {
      expect(BigInt(once.rollups[table]!.requests)).toBe(BigInt(once.requests));
      expect(once.rollups[table]!.cost).toBe(once.cost);
    }
    await insertWithToken('request-3');
    expect(totals()).toEqual(once);
    // The same rows under another token are another insert (the token replaces the hash).
    await insertWithToken('request-4');
    expect(BigInt(totals().requests) - BigInt(once.requests)).toBe(BigInt(third.spans.length - 1));
  });
});

describe('what deduplication does not cover', () => {
  it('recognises a batch by its content: the same spans in another batch are written again', async () => {
    // Deduplication is per inserted block, not per span: the collector retries the very batch
    // it sent (same rows, same order), which is what this covers. A re-batched retry would
    // count twice (collector/README.md "Duplicate inserts").
    const before = totals();
    const regrouped = second.spans.slice(0, 1);
    await insertSpans(engine, regrouped);
    expect(Number(totals().requests)).toBe(Number(before.requests) + 1);
    for (const table of ROLLUPS) {
      expect(Number(totals().rollups[table]!.requests)).toBe(Number(before.rollups[table]!.requests) + 1);
    }
  });
});
