/**
 * The change between consecutive releases, as the release views compute it once for
 * `aicost report --by release`, the Economics dashboard and the web UI
 * (aicost_release_costs_between, packages/schema/sql/071_releases.sql): averages half up to the
 * nano, the change exact, the percent half away from zero to 2 decimals, none without a
 * known, non-zero previous figure, never across services. Request rows are written straight
 * into the request table with chosen costs, read back through the CLI's SQL and reader
 * (report/releases.ts). (These cases were unit tests of the CLI's own arithmetic, which the
 * view replaced.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReleaseRow, releaseReportSql, releaseRow } from '../../packages/cli/src/report/releases.js';
import { type EngineSession, openMigratedEngine } from '../support/chdb.js';
import { DAY_MS, dayStart, sqlTime } from './economics-fixtures.js';

let engine: EngineSession;

/** A request: service, release, day (days ago), trace, cost in nano-USD (null: unpriced). */
type Request = [service: string, release: string, daysAgo: number, trace: string, nanos: bigint | null];
/** An outcome: trace, how many. */
type Outcome = [trace: string, count: number];

const REQUESTS: Request[] = [
  // 3001 / 3 = 1000.33 -> 1000 a request; 3001 / 2 outcomes = 1500.5 -> 1501 (half up).
  ['api', '1', 9, 'a1', 1000n],
  ['api', '1', 9, 'a1', 1000n],
  ['api', '1', 9, 'a1', 1001n],
  // 2001 / 3 = 667 a request and, over 3 outcomes, an outcome.
  ['api', '2', 8, 'a2', 667n],
  ['api', '2', 8, 'a2', 667n],
  ['api', '2', 8, 'a2', 667n],
  // 96 / 3 = 32 a request; to 33: +1 / 32 = +3.125% -> 3.13; to 31: -3.125% -> -3.13.
  ...(['half-up', 'half-down'] as const).flatMap((service): Request[] => [
    [service, 'a', 9, `${service}-a`, 32n],
    [service, 'a', 9, `${service}-a`, 32n],
    [service, 'a', 9, `${service}-a`, 32n],
    [service, 'b', 8, `${service}-b`, service === 'half-up' ? 33n : 31n],
  ]),
  // Unpriced, then 1000, then 0 (priced at zero), then 1000 again; and another service.
  ['svc', '1', 9, 's1', null],
  ['svc', '2', 8, 's2', 1000n],
  ['svc', '3', 7, 's3', 0n],
  ['svc', '4', 6, 's4', 1000n],
  ['worker', '1', 5, 'w1', 1000n],
  // 10000 -> 9995 (-0.05%), 10000 -> 22345 (+123.45%), 10000 -> 10000 (0.00%).
  ['fmt', '1', 9, 'f1', 10_000n],
  ['fmt', '2', 8, 'f2', 9_995n],
  ['big', '1', 9, 'b1', 10_000n],
  ['big', '2', 8, 'b2', 22_345n],
  ['flat', '1', 9, 'g1', 10_000n],
  ['flat', '2', 8, 'g2', 10_000n],
];
const OUTCOMES: Outcome[] = [
  ['a1', 2],
  ['a2', 3],
  ['s1', 1],
];

const usd = (nanos: bigint) =>
  `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;

beforeAll(async () => {
  engine = await openMigratedEngine();
  const at = (daysAgo: number, i: number) => `'${sqlTime(dayStart(daysAgo) + 3_600_000 + i * 1000)}'`;
  engine.exec(
    `INSERT INTO otel.aicost_requests (timestamp, trace_id, span_id, service, environment, service_version, cost_total) VALUES ${REQUESTS.map(
      ([service, release, daysAgo, trace, nanos], i) =>
        `(${at(daysAgo, i)}, '${trace}', 'span${i}', '${service}', 'prod', '${release}', ${nanos === null ? 'NULL' : usd(nanos)})`,
    ).join(', ')}`,
  );
  engine.exec(
    `INSERT INTO otel.aicost_outcomes (timestamp, trace_id, span_id, service, environment, release, outcome) VALUES ${OUTCOMES.flatMap(
      ([trace, count]) =>
        Array.from(
          { length: count },
          (_, k) => `(${at(1, k)}, '${trace}', 'o-${trace}-${k}', 'recorder', 'prod', 'r-9', 'done')`,
        ),
    ).join(', ')}`,
  );
}, 120_000);
afterAll(() => engine?.close());

/** The report's rows through the CLI's SQL and reader, over the last ten days. */
function report(service: string): ReleaseRow[] {
  const { sql, params } = releaseReportSql({
    fromNs: BigInt(dayStart(10)) * 1_000_000n,
    toNs: BigInt(dayStart(0) + DAY_MS) * 1_000_000n,
    filters: { service: [service] },
  });
  return engine.session
    .queryBind(sql, params, 'JSONEachRow')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, string | null>)
    .map((r) => releaseRow((name) => r[name] ?? null));
}

describe('aicost_release_costs_between: the change from the release before', () => {
  it('cost per request and per outcome half up, the change exact and in percent to 2 decimals', () => {
    const [first, second] = report('api');
    expect(first!.previousRelease).toBe('');
    expect(first!.costPerRequest).toEqual({
      value: 1_000n,
      previous: undefined,
      changeNanos: undefined,
      changePercent: undefined,
    });
    expect(first!.costPerOutcome.value).toBe(1_501n);
    expect(second!.previousRelease).toBe('1');
    // 667 - 1000 = -333: -33.30%.
    expect(second!.costPerRequest).toEqual({
      value: 667n,
      previous: 1_000n,
      changeNanos: -333n,
      changePercent: '-33.30',
    });
    // 2001 / 3 = 667; 667 - 1501 = -834; -834 / 1501 = -55.5629...% -> -55.56%.
    expect(second!.costPerOutcome).toMatchObject({
      value: 667n,
      changeNanos: -834n,
      changePercent: '-55.56',
    });
  });

  it('a half hundredth rounds away from zero, both ways; percent text as the report prints it', () => {
    expect([
      report('half-up')[1]!.costPerRequest.changePercent,
      report('half-down')[1]!.costPerRequest.changePercent,
    ]).toEqual(['3.13', '-3.13']);
    expect(report('fmt')[1]!.costPerRequest.changePercent).toBe('-0.05');
    expect(report('big')[1]!.costPerRequest.changePercent).toBe('123.45');
    expect(report('flat')[1]!.costPerRequest).toMatchObject({ changeNanos: 0n, changePercent: '0.00' });
  });

  it('no change without a known, non-zero previous figure, and none across services', () => {
    const rows = [...report('svc'), ...report('worker')];
    expect(
      rows.map((r) => [
        r.service,
        r.release,
        r.previousRelease,
        r.costPerRequest.value,
        r.costPerRequest.changeNanos,
      ]),
    ).toEqual([
      ['svc', '1', '', undefined, undefined],
      ['svc', '2', '1', 1_000n, undefined],
      ['svc', '3', '2', 0n, -1_000n],
      ['svc', '4', '3', 1_000n, 1_000n],
      ['worker', '1', '', 1_000n, undefined],
    ]);
    // From 0 the change is exact but has no percent; to 0 it is -100%.
    expect(rows[3]!.costPerRequest.changePercent).toBeUndefined();
    expect(rows[2]!.costPerRequest.changePercent).toBe('-100.00');
    // An outcome whose trace's calls are all unpriced: cost per outcome unknown, not $0.
    expect(rows[0]!.outcomes).toBe(1);
    expect(rows[0]!.costPerOutcome.value).toBeUndefined();
  });
});
