/**
 * One rule for cost by release: `aicost report --by release`, the view it reads
 * (aicost_release_costs_between / aicost_release_outcome_costs_between) and the Economics
 * dashboard's panels (which the web UI serves as they are) give the same figures, on data where
 * the two rules the CLI and the views used to have disagreed:
 * - the outcomes are recorded by another service (shop-worker, release wk-9) in the traces of
 *   shop-api's calls: they count for shop-api's release of those calls, not for wk-9;
 * - releases 1.0 and 2.0 were first seen before the range, and a late 1.0 call in the range
 *   comes after 2.0's first call in it: the release before 2.0 is still 1.0 (first seen over
 *   all stored requests), not the order inside the range.
 * Every expected figure is computed from the seed, in integer nano-USD.
 */
import { join } from 'node:path';
import { formatNanos } from '@aicost/core';
import { drainPending, Session } from 'chdb';
import { beforeAll, describe, expect, it } from 'vitest';
import { panelSql } from '../../packages/ui/src/server/queries.js';
import { variables } from '../grafana/fixtures.js';
import {
  DAY_MS,
  dayStart,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  HOUR_MS,
  hundredths,
  listCost,
  nanos,
  percent,
  releaseFigures,
  type Seed,
  type SeedCall,
  type SeedOutcome,
  seedSpans,
} from '../schema/economics-fixtures.js';
import { engineOn, insertSpans, loadPriceRows } from '../support/chdb.js';
import { expandQuery } from '../support/grafana.js';
import { runCli, tempDir } from './support.js';

const FROM = new Date(dayStart(10));
const TO = new Date(dayStart(0) + DAY_MS - 1000);

/** shop-api's traces: release, days ago, calls, outcomes recorded in the trace by shop-worker. */
const TRACES: [release: string, daysAgo: number, calls: number, outcomes: number][] = [
  ['1.0', 30, 2, 1], // before the range
  ['1.0', 25, 1, 0],
  ['2.0', 15, 2, 1], // 2.0 first seen before the range too
  ['2.0', 8, 3, 1], // in the range
  ['2.0', 7, 1, 0],
  ['1.0', 6, 2, 1], // a late 1.0 call, after 2.0's first call in the range
  ['3.0', 3, 2, 2],
  ['3.0', 2, 1, 0],
];

function ruleSeed(): Seed {
  const calls: SeedCall[] = [];
  const outcomes: SeedOutcome[] = [];
  let id = 0;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  TRACES.forEach(([release, daysAgo, n, recorded], t) => {
    const traceId = hex(0xa000 + t, 32);
    const start = dayStart(daysAgo) + 9 * HOUR_MS;
    const model = release === '3.0' ? 'gpt-4o' : 'gpt-4o-mini';
    const common = { feature: 'checkout', customer: 'acme', workflow: 'order' };
    for (let c = 0; c < n; c++) {
      const input = 1000 + 137 * t + 11 * c;
      const output = 100 + 13 * t + c;
      calls.push({
        ...common,
        traceId,
        spanId: hex(++id, 16),
        start: start + c * 1000,
        service: 'shop-api',
        release,
        model,
        input,
        cacheRead: 0,
        output,
        costNanos: listCost(model, input, 0, output),
      });
    }
    for (let k = 0; k < recorded; k++) {
      outcomes.push({
        ...common,
        traceId,
        spanId: hex(++id, 16),
        start: start + 60_000 + k,
        service: 'shop-worker',
        release: 'wk-9',
        outcome: 'order_placed',
        segment: 'smb',
      });
    }
  });
  return { calls, outcomes };
}

const seed = ruleSeed();
let dataDir: string;
let viewRows: Record<string, string | null>[];
let viewOutcomeRows: Record<string, string | null>[];
let requestPanel: Record<string, unknown>[];
let outcomePanel: Record<string, unknown>[];

/** What the one rule says for each release of shop-api with calls in the range. */
function expected() {
  const inRange = seed.calls.filter((c) => c.start >= FROM.getTime() && c.start < TO.getTime());
  const firstSeen = (release: string) =>
    Math.min(...seed.calls.filter((c) => c.release === release).map((c) => c.start));
  const order = [...new Set(seed.calls.map((c) => c.release))].sort((a, b) => firstSeen(a) - firstSeen(b));
  const releases = order.filter((release) => inRange.some((c) => c.release === release));
  const figures = (release: string) => releaseFigures({ ...seed, calls: inRange }, 'shop-api', release);
  return releases.map((release) => {
    const now = figures(release);
    const previous = order[order.indexOf(release) - 1] ?? '';
    const before = previous === '' ? undefined : figures(previous);
    const change = (value: bigint, was: bigint | undefined) =>
      was === undefined
        ? { change: null, pct: null }
        : { change: value - was, pct: percent(hundredths((value - was) * 100n, was)) };
    return {
      release,
      previous,
      requests: now.requests,
      outcomes: now.outcomes,
      perRequest: now.perRequest,
      perOutcome: now.perOutcome,
      request: change(now.perRequest, before?.perRequest),
      outcome: change(now.perOutcome, before?.perOutcome),
    };
  });
}

beforeAll(async () => {
  dataDir = join(tempDir(), 'store');
  const migrated = await runCli(['migrate', '--data-dir', dataDir]);
  expect(migrated.code).toBe(0);
  const session = new Session(dataDir);
  const engine = engineOn(session, dataDir);
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
  const range = `from = toDateTime(${FROM.getTime() / 1000}), to = toDateTime(${TO.getTime() / 1000}), filters = map()`;
  viewRows = engine.query(
    `SELECT * FROM otel.aicost_release_costs_between(${range}) WHERE service = 'shop-api' ORDER BY first_seen`,
  );
  viewOutcomeRows = engine.query(
    `SELECT * FROM otel.aicost_release_outcome_costs_between(${range}) ORDER BY service, first_seen`,
  );
  const panel = (title: string) =>
    engine.query<Record<string, unknown>>(
      expandQuery(panelSql('aicost-economics', title), {
        from: FROM,
        to: TO,
        intervalMs: 6 * HOUR_MS,
        variables: variables({ service: ['shop-api'] }),
      }),
    );
  requestPanel = panel('Cost per request by release');
  outcomePanel = panel('Cost per outcome by release');
  session.close();
  await drainPending();
}, 180_000);

describe('cost by release: one rule for the report, the view and the dashboard', () => {
  const want = expected();

  it('the seed is one where the old rules disagree', () => {
    // In the range, 2.0's first call comes before 1.0's late one, and the outcomes were recorded by wk-9.
    const inRange = seed.calls.filter((c) => c.start >= FROM.getTime());
    expect([...new Set(inRange.map((c) => c.release))]).toEqual(['2.0', '1.0', '3.0']);
    expect(new Set(seed.outcomes.map((o) => `${o.service} ${o.release}`))).toEqual(
      new Set(['shop-worker wk-9']),
    );
    expect(want.map((w) => [w.release, w.previous])).toEqual([
      ['1.0', ''],
      ['2.0', '1.0'],
      ['3.0', '2.0'],
    ]);
  });

  it('the view: cost per request and per outcome by the release of the calls, the release before by first seen', () => {
    expect(
      viewRows.map((r) => ({
        release: r.release,
        previous: r.previous_release,
        requests: Number(r.requests),
        outcomes: Number(r.outcomes),
        perRequest: nanos(r.cost_per_request_usd),
        perOutcome: nanos(r.cost_per_outcome_usd),
        request: { change: nanos(r.change_usd), pct: r.change_pct === null ? null : Number(r.change_pct) },
        outcome: {
          change: nanos(r.outcome_change_usd),
          pct: r.outcome_change_pct === null ? null : Number(r.outcome_change_pct),
        },
      })),
    ).toEqual(
      want.map((w) => ({
        ...w,
        request: { ...w.request, pct: w.request.pct === null ? null : Number(w.request.pct) },
        outcome: { ...w.outcome, pct: w.outcome.pct === null ? null : Number(w.outcome.pct) },
      })),
    );
    // Per outcome name: the same outcomes and figures, none for the recording service.
    expect(
      viewOutcomeRows.map((r) => [
        r.service,
        r.release,
        r.outcome,
        Number(r.outcomes),
        nanos(r.cost_per_outcome_usd),
      ]),
    ).toEqual(want.map((w) => ['shop-api', w.release, 'order_placed', w.outcomes, w.perOutcome]));
  });

  it('aicost report --by release says the same', async () => {
    const result = await runCli([
      'report',
      '--by',
      'release',
      '--service',
      'shop-api',
      '--from',
      FROM.toISOString(),
      '--to',
      TO.toISOString(),
      '--format',
      'json',
      '--data-dir',
      dataDir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = (JSON.parse(result.stdout) as { rows: Record<string, unknown>[] }).rows;
    const money = (n: bigint | null) => (n === null ? null : formatNanos(n));
    expect(
      rows.map((r) => [
        r.release,
        r.previous_release,
        r.requests,
        r.outcomes,
        r.cost_per_request,
        r.cost_per_request_change,
        r.cost_per_request_change_pct,
        r.cost_per_outcome,
        r.cost_per_outcome_change,
        r.cost_per_outcome_change_pct,
      ]),
    ).toEqual(
      want.map((w) => [
        w.release,
        w.previous,
        w.requests,
        w.outcomes,
        formatNanos(w.perRequest),
        money(w.request.change),
        w.request.pct,
        formatNanos(w.perOutcome),
        money(w.outcome.change),
        w.outcome.pct,
      ]),
    );
  });

  it('the Economics dashboard (and so the web UI): both release panels say the same', () => {
    expect(
      requestPanel.map((r) => [
        r.release,
        r.previous_release,
        Number(r.requests),
        nanos(String(r.cost_per_request_usd)),
        r.change_usd === null ? null : nanos(String(r.change_usd)),
      ]),
    ).toEqual(want.map((w) => [w.release, w.previous, w.requests, w.perRequest, w.request.change]));
    expect(
      outcomePanel.map((r) => [
        r.service,
        r.release,
        r.previous_release,
        Number(r.outcomes),
        nanos(String(r.cost_per_outcome_usd)),
        r.change_usd === null ? null : nanos(String(r.change_usd)),
      ]),
    ).toEqual(
      want.map((w) => ['shop-api', w.release, w.previous, w.outcomes, w.perOutcome, w.outcome.change]),
    );
  });
});
