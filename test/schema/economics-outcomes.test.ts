/**
 * Cost per outcome and per release on the engine: outcomes recorded by one service joined to
 * the model calls another service made in the same trace (or workflow), compared across
 * releases. Every expected figure is computed here from the seed, in integer nano-USD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseReportSql, releaseRow } from '../../packages/cli/src/report/releases.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  dayStart,
  divideHalfUp,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  hundredths,
  isoDay,
  nanos,
  percent,
  releaseFigures,
  type SeedCall,
  seedSpans,
} from './economics-fixtures.js';

const seed = economicsSeed();
let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
}, 120_000);
afterAll(() => engine?.close());

const callsOfTrace = (traceId: string) => seed.calls.filter((c) => c.traceId === traceId);

function costOf(calls: SeedCall[]) {
  const priced = calls.filter((c) => c.costNanos !== null);
  return {
    calls: calls.length,
    unpriced: calls.length - priced.length,
    cost:
      calls.length > 0 && priced.length === 0
        ? null
        : priced.reduce((s, c) => s + (c.costNanos as bigint), 0n),
  };
}

describe('outcomes', () => {
  it('the MV turns every aicost.outcome span into one typed row, value exact', () => {
    const rows = engine.query<{ n: string; valued: string; value_sum: string; release: string }>(
      `SELECT count() AS n, countIf(value IS NOT NULL) AS valued, sum(value) AS value_sum,
              arrayStringConcat(arraySort(groupUniqArray(release)), ',') AS release FROM otel.aicost_outcomes`,
    );
    const valued = seed.outcomes.filter((o) => o.value !== undefined);
    expect(rows[0]).toEqual({
      n: String(seed.outcomes.length),
      valued: String(valued.length),
      value_sum: expect.any(String),
      release: 'w-1,w-2',
    });
    expect(nanos(rows[0]!.value_sum)).toBe(valued.reduce((s, o) => s + (nanos(o.value!) as bigint), 0n));
    // Outcome spans are not model calls.
    const requests = engine.query<{ n: string }>('SELECT count() AS n FROM otel.aicost_requests');
    expect(Number(requests[0]!.n)).toBe(seed.calls.length);
  });

  it('aicost_cost_per_outcome: calls of another service in the same trace, each trace counted once', () => {
    const rows = engine.query<Record<string, string | null>>(
      `SELECT toString(day) AS day, feature, customer, segment, service, release, toString(outcomes) AS outcomes,
              toString(traces) AS traces, toString(calls) AS calls, toString(unpriced_calls) AS unpriced_calls,
              cost_usd, cost_per_outcome_usd
       FROM otel.aicost_cost_per_outcome WHERE outcome = 'ticket_resolved'`,
    );
    const groups = new Map<string, { outcomes: number; traces: Set<string>; key: Record<string, string> }>();
    for (const o of seed.outcomes) {
      const key = {
        day: isoDay(o.start),
        feature: o.feature,
        customer: o.customer,
        segment: o.segment,
        service: o.service,
        release: o.release,
      };
      const id = JSON.stringify(key);
      const group = groups.get(id) ?? { outcomes: 0, traces: new Set<string>(), key };
      group.outcomes++;
      group.traces.add(o.traceId);
      groups.set(id, group);
    }
    const expected = [...groups.values()].map((g) => {
      const c = costOf([...g.traces].flatMap(callsOfTrace));
      return {
        ...g.key,
        outcomes: String(g.outcomes),
        traces: String(g.traces.size),
        calls: String(c.calls),
        unpriced_calls: String(c.unpriced),
        cost: c.cost,
        per: c.cost === null ? null : divideHalfUp(c.cost, BigInt(g.outcomes)),
      };
    });
    const actual = rows.map(({ cost_usd, cost_per_outcome_usd, ...rest }) => ({
      ...rest,
      cost: nanos(cost_usd),
      per: nanos(cost_per_outcome_usd),
    }));
    const order = (a: Record<string, unknown>) => `${a.day}|${a.customer}|${a.feature}|${a.release}`;
    expect(actual.sort((a, b) => order(a).localeCompare(order(b)))).toEqual(
      expected.sort((a, b) => order(a).localeCompare(order(b))),
    );
    // The calls were made by support-api, the outcomes recorded by support-worker.
    expect(new Set(seed.outcomes.map((o) => o.service))).toEqual(new Set(['support-worker']));
  });

  it('aicost_outcome_costs: a trace whose only calls are unpriced has an unknown cost, not $0', () => {
    const unpricedTrace = seed.outcomes.find((o) => costOf(callsOfTrace(o.traceId)).cost === null);
    expect(unpricedTrace, 'the seed has an outcome whose calls are all unpriced').toBeDefined();
    const rows = engine.query<{ cost_usd: string | null; calls: string; call_services: string[] }>(
      `SELECT cost_usd, toString(calls) AS calls, call_services FROM otel.aicost_outcome_costs WHERE trace_id = '${unpricedTrace!.traceId}'`,
    );
    expect(rows[0]).toEqual({
      cost_usd: null,
      calls: String(callsOfTrace(unpricedTrace!.traceId).length),
      call_services: ['support-api'],
    });
  });

  it('aicost_cost_per_outcome_by_workflow: every call of the workflow that day, failed attempts included', () => {
    const rows = engine.query<{
      day: string;
      workflow: string;
      outcomes: string;
      calls: string;
      cost_usd: string | null;
      cost_per_outcome_usd: string | null;
    }>(
      `SELECT toString(day) AS day, workflow, toString(outcomes) AS outcomes, toString(calls) AS calls, cost_usd, cost_per_outcome_usd
       FROM otel.aicost_cost_per_outcome_by_workflow ORDER BY day, workflow`,
    );
    const keys = [...new Set(seed.outcomes.map((o) => `${isoDay(o.start)}|${o.workflow}`))].sort();
    const expected = keys.map((key) => {
      const [day, workflow] = key.split('|') as [string, string];
      const outcomes = seed.outcomes.filter((o) => isoDay(o.start) === day && o.workflow === workflow).length;
      const c = costOf(seed.calls.filter((call) => isoDay(call.start) === day && call.workflow === workflow));
      return {
        day,
        workflow,
        outcomes: String(outcomes),
        calls: String(c.calls),
        cost: c.cost,
        per: c.cost === null ? null : divideHalfUp(c.cost, BigInt(outcomes)),
      };
    });
    expect(
      rows.map(({ cost_usd, cost_per_outcome_usd, ...rest }) => ({
        ...rest,
        cost: nanos(cost_usd),
        per: nanos(cost_per_outcome_usd),
      })),
    ).toEqual(expected);
  });
});

describe('releases', () => {
  it('aicost_release_costs: cost per request per release of a service and the exact change from the release before', () => {
    const rows = engine.query<Record<string, string | null>>(
      `SELECT release, deployment, toString(requests) AS requests, cost_usd, cost_per_request_usd, previous_release,
              previous_cost_per_request_usd, change_usd
       FROM otel.aicost_release_costs WHERE service = 'support-api' ORDER BY first_seen`,
    );
    const perRelease = ['1.0.0', '2.0.0'].map((release) => {
      const calls = seed.calls.filter((c) => c.release === release);
      const priced = calls.filter((c) => c.costNanos !== null);
      const cost = priced.reduce((s, c) => s + (c.costNanos as bigint), 0n);
      return { release, requests: calls.length, cost, perRequest: divideHalfUp(cost, BigInt(priced.length)) };
    });
    const [first, second] = perRelease as [(typeof perRelease)[0], (typeof perRelease)[0]];
    expect(
      rows.map((r) => ({
        release: r.release,
        deployment: r.deployment,
        requests: Number(r.requests),
        cost: nanos(r.cost_usd),
        perRequest: nanos(r.cost_per_request_usd),
        previous: r.previous_release,
        previousPerRequest: nanos(r.previous_cost_per_request_usd),
        change: nanos(r.change_usd),
      })),
    ).toEqual([
      { ...first, deployment: 'deploy-1.0.0', previous: '', previousPerRequest: null, change: null },
      {
        ...second,
        deployment: 'deploy-2.0.0',
        previous: '1.0.0',
        previousPerRequest: first.perRequest,
        change: second.perRequest - first.perRequest,
      },
    ]);
  });

  it('aicost_release_outcome_costs: cost per outcome per release of the calls that produced it, with the change', () => {
    // The outcomes are recorded by support-worker (w-1, w-2); they count for the release of
    // support-api whose calls are in their traces (one rule with `aicost report --by release`).
    const rows = engine.query<Record<string, string | null>>(
      `SELECT service, release, toString(outcomes) AS outcomes, cost_usd, cost_per_outcome_usd, previous_release, change_usd
       FROM otel.aicost_release_outcome_costs WHERE outcome = 'ticket_resolved' ORDER BY service, first_seen`,
    );
    const per = ['1.0.0', '2.0.0'].map((release) => {
      const calls = seed.calls.filter((c) => c.service === 'support-api' && c.release === release);
      const traces = new Set(calls.map((c) => c.traceId));
      const outcomes = seed.outcomes.filter((o) => traces.has(o.traceId));
      const withOutcome = new Set(outcomes.map((o) => o.traceId));
      const cost = costOf(calls.filter((c) => withOutcome.has(c.traceId))).cost as bigint;
      return { release, outcomes: outcomes.length, cost, per: divideHalfUp(cost, BigInt(outcomes.length)) };
    });
    expect(
      rows.map((r) => ({
        service: r.service,
        release: r.release,
        outcomes: Number(r.outcomes),
        cost: nanos(r.cost_usd),
        per: nanos(r.cost_per_outcome_usd),
        previous: r.previous_release,
        change: nanos(r.change_usd),
      })),
    ).toEqual([
      { service: 'support-api', ...per[0]!, previous: '', change: null },
      { service: 'support-api', ...per[1]!, previous: '1.0.0', change: per[1]!.per - per[0]!.per },
    ]);
  });
});

/** Runs a statement with bound parameters, as the CLI's backends do. */
function bound<T>(sql: string, params: Record<string, string>): T[] {
  return engine.session
    .queryBind(sql, params, 'JSONEachRow')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

describe('releases on the request table and the rollups', () => {
  it('every request row carries its release and deployment', () => {
    const rows = engine.query<{ release: string; deployment: string; n: string }>(
      `SELECT service_version AS release, deployment, toString(count()) AS n FROM otel.aicost_requests
       GROUP BY release, deployment ORDER BY release`,
    );
    expect(rows).toEqual(
      ['1.0.0', '2.0.0'].map((release) => ({
        release,
        deployment: `deploy-${release}`,
        n: String(seed.calls.filter((c) => c.release === release).length),
      })),
    );
  });

  it('the hourly and daily rollups: per release and deployment, the same requests and cost as the calls', () => {
    const expected = ['1.0.0', '2.0.0'].map((release) => {
      const calls = seed.calls.filter((c) => c.release === release);
      const priced = calls.filter((c) => c.costNanos !== null);
      return {
        release,
        deployment: `deploy-${release}`,
        requests: calls.length,
        unpriced: calls.length - priced.length,
        cost: priced.reduce((s, c) => s + (c.costNanos as bigint), 0n),
      };
    });
    for (const table of ['aicost_rollup_hourly', 'aicost_rollup_daily']) {
      const rows = engine.query<Record<string, string>>(
        `SELECT service_version AS release, deployment, toString(sum(requests)) AS requests,
                toString(sum(unpriced_requests)) AS unpriced, toString(sum(cost_total)) AS cost
         FROM otel.${table} GROUP BY release, deployment ORDER BY release`,
      );
      expect(
        rows.map((r) => ({
          release: r.release,
          deployment: r.deployment,
          requests: Number(r.requests),
          unpriced: Number(r.unpriced),
          cost: nanos(r.cost),
        })),
        table,
      ).toEqual(expected);
    }
  });
});

describe('aicost report --by release (the SQL and figures of report/releases.ts)', () => {
  const window = {
    fromNs: BigInt(Date.now() - 40 * 86_400_000) * 1_000_000n,
    toNs: BigInt(Date.now()) * 1_000_000n,
  };

  it('cost per request and per outcome of each release, the change from the release before in USD and %', () => {
    const { sql, params } = releaseReportSql({ ...window, filters: { service: ['support-api'] } });
    const rows = bound<Record<string, string | null>>(sql, params).map((r) =>
      releaseRow((name) => r[name] ?? null),
    );
    const first = releaseFigures(seed, 'support-api', '1.0.0');
    const second = releaseFigures(seed, 'support-api', '2.0.0');
    // The seed is meant to move both figures: 2.0.0 switches `support` to a dearer model.
    expect(second.perRequest).not.toBe(first.perRequest);
    expect(first.outcomes).toBeGreaterThan(0);
    expect(
      rows.map((r) => ({
        release: r.release,
        deployment: r.deployment,
        previous: r.previousRelease,
        requests: r.requests,
        priced: r.pricedRequests,
        outcomes: r.outcomes,
        perRequest: r.costPerRequest.value,
        perRequestChange: r.costPerRequest.changeNanos,
        perRequestPct: r.costPerRequest.changePercent,
        perOutcome: r.costPerOutcome.value,
        perOutcomeChange: r.costPerOutcome.changeNanos,
        perOutcomePct: r.costPerOutcome.changePercent,
      })),
    ).toEqual([
      {
        ...first,
        deployment: 'deploy-1.0.0',
        previous: '',
        perRequestChange: undefined,
        perRequestPct: undefined,
        perOutcomeChange: undefined,
        perOutcomePct: undefined,
      },
      {
        ...second,
        deployment: 'deploy-2.0.0',
        previous: '1.0.0',
        perRequestChange: second.perRequest - first.perRequest,
        perRequestPct: percent(hundredths((second.perRequest - first.perRequest) * 100n, first.perRequest)),
        perOutcomeChange: second.perOutcome - first.perOutcome,
        perOutcomePct: percent(hundredths((second.perOutcome - first.perOutcome) * 100n, first.perOutcome)),
      },
    ]);
  });

  it('only the calls in the window: a window after the first release shows the second alone, with no change', () => {
    const { sql, params } = releaseReportSql({
      fromNs: BigInt(dayStart(9)) * 1_000_000n,
      toNs: BigInt(Date.now()) * 1_000_000n,
      filters: { service: ['support-api'] },
    });
    const rows = bound<Record<string, string>>(sql, params);
    const calls = seed.calls.filter((c) => c.start >= dayStart(9));
    expect(rows.map((r) => [r.release, Number(r.requests)])).toEqual([['2.0.0', calls.length]]);
  });
});
