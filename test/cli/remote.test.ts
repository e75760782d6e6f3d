/**
 * `aicost report`, `sql`, `migrate` and `prices load` against a ClickHouse
 * server named with `--clickhouse-url` (here the ClickHouse HTTP interface of
 * a running `aicost up`, which the CLI reaches through @clickhouse/client):
 * every report dimension, time windows and formats, with expected values
 * computed from the seeded spans; and the same commands on a machine where the
 * embedded engine (chdb) cannot be loaded.
 */
import { join } from 'node:path';
import { readMigrations } from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  type Collector,
  makeSpans,
  postOtlp,
  REPO,
  runCli,
  serializeSpans,
  startCollector,
  sumUsd,
  tempDir,
  withCredential,
} from './support.js';

/** What a new database records: every migration this release has (`1, 2, 3`). */
const ALL_MIGRATIONS = readMigrations()
  .map((migration) => migration.version)
  .join(', ');

const DAY_MS = 86_400_000;
/** Midnight UTC today: seeds sit on the three days before it, so they are whole days in the past. */
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Seed {
  service: string;
  environment: string;
  /** Days before today (1..3) and hour of day, UTC. */
  daysAgo: number;
  hour: number;
  provider: string;
  operation: string;
  model: string;
  feature: string;
  customer: string;
  workflow: string;
  team: string;
  /** 9-decimal USD as the instrumentation records it; undefined: an unpriced call (unknown model). */
  cost?: string;
  input: number;
  output: number;
}

const base = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o',
  workflow: 'answer',
  team: 'growth',
};
// Costs as the SDK records them: odd nano amounts, each within the factor of 10 of the catalogue's
// cost for its usage that the schema requires to keep a sender's cost (packages/schema/sql/016_cost_trust.sql).
const SEEDS: Seed[] = [
  {
    ...base,
    service: 'checkout',
    environment: 'prod',
    daysAgo: 3,
    hour: 9,
    feature: 'search',
    customer: 'acme',
    cost: '0.004500000',
    input: 1200,
    output: 300,
  },
  {
    ...base,
    service: 'checkout',
    environment: 'prod',
    daysAgo: 3,
    hour: 23,
    feature: 'search',
    customer: 'globex',
    cost: '0.120000001',
    input: 9000,
    output: 2100,
  },
  {
    ...base,
    service: 'checkout',
    environment: 'prod',
    daysAgo: 2,
    hour: 0,
    feature: 'chat',
    customer: 'acme',
    cost: '0.000017501',
    input: 3,
    output: 1,
    workflow: 'triage',
  },
  {
    ...base,
    service: 'checkout',
    environment: 'staging',
    daysAgo: 2,
    hour: 12,
    provider: 'anthropic',
    model: 'claude-sonnet-4-0',
    feature: 'chat',
    customer: 'globex',
    cost: '1.000000000',
    input: 100_000,
    output: 20_000,
    team: 'platform',
  },
  {
    ...base,
    service: 'support',
    environment: 'prod',
    daysAgo: 2,
    hour: 13,
    operation: 'embeddings',
    model: 'text-embedding-3-small',
    feature: 'search',
    customer: 'acme',
    cost: '0.000002000',
    input: 100,
    output: 0,
    workflow: 'index',
    team: 'platform',
  },
  {
    ...base,
    service: 'support',
    environment: 'prod',
    daysAgo: 1,
    hour: 8,
    model: 'my-finetune-x',
    feature: 'chat',
    customer: 'initech',
    input: 500,
    output: 50,
    workflow: 'triage',
  },
  {
    ...base,
    service: 'support',
    environment: 'staging',
    daysAgo: 1,
    hour: 17,
    provider: 'anthropic',
    model: 'claude-sonnet-4-0',
    feature: 'summarize',
    customer: 'initech',
    cost: '0.033333333',
    input: 7000,
    output: 900,
    team: 'platform',
  },
  {
    ...base,
    service: 'support',
    environment: 'staging',
    daysAgo: 1,
    hour: 22,
    provider: 'mistral',
    model: 'my-finetune-y',
    feature: 'summarize',
    customer: 'acme',
    input: 40,
    output: 4,
    team: 'platform',
  },
];

const startMs = (s: Seed) => TODAY - s.daysAgo * DAY_MS + s.hour * 3_600_000 + 1234;

function spanOf(s: Seed) {
  const attributes: Record<string, string | number> = {
    'gen_ai.provider.name': s.provider,
    'gen_ai.operation.name': s.operation,
    'gen_ai.request.model': s.model,
    'gen_ai.usage.input_tokens': s.input,
    'gen_ai.usage.output_tokens': s.output,
    'aicost.feature': s.feature,
    'aicost.customer': s.customer,
    'aicost.workflow': s.workflow,
    'aicost.team': s.team,
    'aicost.cost.status': s.cost ? 'priced' : 'unpriced',
  };
  if (s.cost) attributes['aicost.cost.total'] = s.cost;
  else attributes['aicost.cost.status_reason'] = 'unknown_model';
  return { name: `${s.operation} ${s.model}`, attributes, startMs: startMs(s) };
}

const DIMENSION_OF = {
  feature: (s: Seed) => s.feature,
  customer: (s: Seed) => s.customer,
  workflow: (s: Seed) => s.workflow,
  team: (s: Seed) => s.team,
  model: (s: Seed) => s.model,
  provider: (s: Seed) => s.provider,
  operation: (s: Seed) => s.operation,
  service: (s: Seed) => s.service,
  environment: (s: Seed) => s.environment,
  day: (s: Seed) => isoDay(startMs(s)),
} as const;
type Dimension = keyof typeof DIMENSION_OF;

interface Expected {
  requests: number;
  unpriced_requests: number;
  cost: string | null;
  input_tokens: string;
  output_tokens: string;
}

/** The report's rows computed from the seeds alone, keyed by the group's values joined with '/'. */
function expectedBy(dims: Dimension[], seeds = SEEDS): Map<string, Expected> {
  const groups = new Map<string, Seed[]>();
  for (const s of seeds) {
    const key = dims.map((d) => DIMENSION_OF[d](s)).join('/');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return new Map(
    [...groups].map(([key, members]) => {
      const costs = members.flatMap((m) => (m.cost ? [m.cost] : []));
      return [
        key,
        {
          requests: members.length,
          unpriced_requests: members.length - costs.length,
          cost: costs.length ? sumUsd(costs) : null,
          input_tokens: String(members.reduce((n, m) => n + m.input, 0)),
          output_tokens: String(members.reduce((n, m) => n + m.output, 0)),
        },
      ];
    }),
  );
}

/** Report rows keyed like expectedBy, keeping only the columns it computes. */
function actualBy(dims: Dimension[], rows: Record<string, unknown>[]): Map<string, Expected> {
  return new Map(
    rows.map((r) => [
      dims.map((d) => r[d]).join('/'),
      {
        requests: r.requests as number,
        unpriced_requests: r.unpriced_requests as number,
        cost: r.cost as string | null,
        input_tokens: r.input_tokens as string,
        output_tokens: r.output_tokens as string,
      },
    ]),
  );
}

const NO_CHDB = join(REPO, 'test', 'cli', 'fixtures', 'no-chdb.mjs');
/** Environment under which resolving `chdb` fails, as where the addon is not installed. */
const WITHOUT_CHDB = { NODE_OPTIONS: `--import ${NO_CHDB}` };

describe('report and sql with --clickhouse-url', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;
  /** The whole seeded period: from the first seeded day to today. */
  let all: string[];

  beforeAll(async () => {
    collector = await startCollector();
    const resources = new Map<string, Seed[]>();
    for (const s of SEEDS) {
      const key = `${s.service}/${s.environment}`;
      resources.set(key, [...(resources.get(key) ?? []), s]);
    }
    for (const seeds of resources.values()) {
      const spans = makeSpans(seeds.map(spanOf), {
        'service.name': seeds[0]!.service,
        'deployment.environment.name': seeds[0]!.environment,
      });
      const res = await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'));
      expect(res.status, res.body.toString()).toBe(200);
    }
    all = [
      '--clickhouse-url',
      collector.clickhouseUrl,
      '--from',
      isoDay(TODAY - 3 * DAY_MS),
      '--to',
      isoDay(TODAY),
    ];
  });

  afterAll(async () => {
    expect(await collector?.stop('SIGTERM')).toBe(0);
  });

  async function reportJson(args: string[], env?: NodeJS.ProcessEnv) {
    const res = await runCli(['report', ...args, '--format', 'json'], withCredential(collector, { env }));
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout);
  }

  it('reports exact cost per feature and customer, unpriced requests counted apart', async () => {
    const report = await reportJson([...all, '--by', 'feature', '--by', 'customer']);
    expect(actualBy(['feature', 'customer'], report.rows)).toEqual(expectedBy(['feature', 'customer']));
    expect(report.rows[0]).toMatchObject({ feature: 'chat', customer: 'globex', cost: '1.000000000' });
    expect(report.totals).toMatchObject({
      requests: SEEDS.length,
      unpriced_requests: 2,
      cost: sumUsd(SEEDS.flatMap((s) => (s.cost ? [s.cost] : []))),
    });
  });

  it.each(Object.keys(DIMENSION_OF) as Dimension[])('reports exact values by %s', async (dim) => {
    const report = await reportJson([...all, '--by', dim]);
    expect(report.by).toEqual([dim]);
    expect(actualBy([dim], report.rows)).toEqual(expectedBy([dim]));
  });

  it('reports only the rows inside a --from/--to window (start inclusive, end exclusive)', async () => {
    // The middle seeded day: the call at 00:00 that day is in, the one at 23:00 the day before is out.
    const from = isoDay(TODAY - 2 * DAY_MS);
    const to = isoDay(TODAY - DAY_MS);
    const report = await reportJson([
      '--clickhouse-url',
      collector.clickhouseUrl,
      '--from',
      from,
      '--to',
      to,
      '--by',
      'day,feature',
    ]);
    const inside = SEEDS.filter((s) => s.daysAgo === 2);
    expect(inside.length).toBeGreaterThan(0);
    expect(report.window).toEqual({ from: `${from}T00:00:00.000Z`, to: `${to}T00:00:00.000Z` });
    expect(actualBy(['day', 'feature'], report.rows)).toEqual(expectedBy(['day', 'feature'], inside));
    // A window with a time of day: from 22:30 three days ago to 08:30 yesterday.
    const fromTime = `${isoDay(TODAY - 3 * DAY_MS)}T22:30:00Z`;
    const toTime = `${isoDay(TODAY - DAY_MS)}T08:30:00`;
    const narrow = await reportJson([
      '--clickhouse-url',
      collector.clickhouseUrl,
      '--from',
      fromTime,
      '--to',
      toTime,
      '--by',
      'customer',
    ]);
    const lo = Date.parse(fromTime);
    const hi = Date.parse(`${toTime}Z`);
    const within = SEEDS.filter((s) => startMs(s) >= lo && startMs(s) < hi);
    expect(within.length).toBe(5);
    expect(actualBy(['customer'], narrow.rows)).toEqual(expectedBy(['customer'], within));
  });

  it('reports nothing for a window that excludes every row', async () => {
    const window = ['--from', isoDay(TODAY - 30 * DAY_MS), '--to', isoDay(TODAY - 3 * DAY_MS)];
    const report = await reportJson([
      '--clickhouse-url',
      collector.clickhouseUrl,
      ...window,
      '--by',
      'feature',
    ]);
    expect(report.rows).toEqual([]);
    expect(report.totals).toMatchObject({ requests: 0, cost: null });
    const table = await runCli(
      ['report', '--clickhouse-url', collector.clickhouseUrl, ...window],
      withCredential(collector),
    );
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/no GenAI requests in this window/);
  });

  it('writes CSV with the exact 9-decimal cost and cost per request', async () => {
    const res = await runCli(['report', ...all, '--by', 'day', '--format', 'csv'], withCredential(collector));
    expect(res.code, res.stderr).toBe(0);
    const expected = expectedBy(['day']);
    const ordered = [...expected].sort(([, a], [, b]) =>
      Number(BigInt((b.cost ?? '0').replace('.', '')) - BigInt((a.cost ?? '0').replace('.', ''))),
    );
    const perRequest = (e: Expected) => {
      if (e.cost === null) return '';
      const nanos = BigInt(e.cost.replace('.', ''));
      const n = BigInt(e.requests - e.unpriced_requests);
      const q = (2n * nanos + n) / (2n * n);
      return `${q / 1_000_000_000n}.${(q % 1_000_000_000n).toString().padStart(9, '0')}`;
    };
    expect(res.stdout).toBe(
      `${[
        'day,requests,unpriced,cost_usd,cost_per_request_usd,input_tokens,output_tokens',
        ...ordered.map(([day, e]) =>
          [
            day,
            e.requests,
            e.unpriced_requests,
            e.cost ?? '',
            perRequest(e),
            e.input_tokens,
            e.output_tokens,
          ].join(','),
        ),
      ].join('\n')}\n`,
    );
  });

  it('runs SQL and prints the exact Decimal sums', async () => {
    const res = await runCli(
      [
        'sql',
        '--clickhouse-url',
        collector.clickhouseUrl,
        '--format',
        'csv',
        'SELECT customer, toString(sum(cost_total)) AS cost FROM otel.aicost_requests GROUP BY customer ORDER BY customer',
      ],
      withCredential(collector),
    );
    expect(res.code, res.stderr).toBe(0);
    const expected = expectedBy(['customer']);
    expect(res.stdout).toBe(
      `customer,cost\n${[...expected.keys()]
        .sort()
        // The engine prints Decimals without trailing zeros.
        .map((c) => `${c},${expected.get(c)!.cost!.replace(/\.?0+$/, '')}`)
        .join('\n')}\n`,
    );
  });

  it('exits 1 on a bad query with only the engine message on stderr', async () => {
    const res = await runCli(
      ['sql', '--clickhouse-url', collector.clickhouseUrl, 'SELECT no_such_column FROM otel.aicost_requests'],
      withCredential(collector),
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^aicost sql: Code: 47\. DB::Exception: Unknown expression identifier `no_such_column`[^\n]* \(UNKNOWN_IDENTIFIER\)\n$/,
    );
    const report = await runCli(['report', '--clickhouse-url', 'http://127.0.0.1:1', '--by', 'feature']);
    expect(report.code).toBe(1);
    expect(report.stderr.trim().split('\n')).toHaveLength(1);
    expect(report.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports and runs SQL where the chdb addon cannot be loaded', async () => {
    const report = await reportJson([...all, '--by', 'service'], WITHOUT_CHDB);
    expect(actualBy(['service'], report.rows)).toEqual(expectedBy(['service']));
    const res = await runCli(
      [
        'sql',
        '--clickhouse-url',
        collector.clickhouseUrl,
        '--format',
        'csv',
        'SELECT count() AS n FROM otel.aicost_requests',
      ],
      withCredential(collector, { env: WITHOUT_CHDB }),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(`n\n${SEEDS.length}\n`);
  });
});

describe('migrate and prices load with --clickhouse-url, without the chdb addon', {
  timeout: CHILD_PROCESS_TIMEOUT,
}, () => {
  let collector: Collector;

  beforeAll(async () => {
    // No prices at start: what lands in the price tables is what the commands below load.
    collector = await startCollector({ args: ['--writable', '--no-prices'] });
  });

  afterAll(async () => {
    expect(await collector?.stop('SIGTERM')).toBe(0);
  });

  async function priceRows(): Promise<number> {
    const res = await runCli(
      [
        'sql',
        '--clickhouse-url',
        collector.clickhouseUrl,
        '--format',
        'csv',
        'SELECT count() FROM otel.aicost_prices',
      ],
      withCredential(collector),
    );
    expect(res.code, res.stderr).toBe(0);
    return Number(res.stdout.split('\n')[1]);
  }

  it('the preload does make chdb unloadable (the local store path fails)', async () => {
    const res = await runCli(['sql', '--data-dir', tempDir(), 'SELECT 1'], { env: WITHOUT_CHDB });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Cannot find package 'chdb'/);
  });

  it('migrate applies the schema, and --with-prices loads the catalogue in the same command', async () => {
    const url = ['--clickhouse-url', collector.clickhouseUrl];
    const plain = await runCli(['migrate', ...url], withCredential(collector, { env: WITHOUT_CHDB }));
    expect(plain.code, plain.stderr).toBe(0);
    // `aicost up` installed the schema when it opened its store: nothing is pending.
    expect(plain.stdout).toMatch(
      /^schema already current: \d+ statements in otel on http:\/\/127\.0\.0\.1:\d+\n$/,
    );
    expect(await priceRows()).toBe(0);

    const withPrices = await runCli(
      ['migrate', '--with-prices', ...url],
      withCredential(collector, { env: WITHOUT_CHDB }),
    );
    expect(withPrices.code, withPrices.stderr).toBe(0);
    const loaded = /loaded (\d+) price rows and (\d+) model aliases/.exec(withPrices.stdout);
    expect(loaded, withPrices.stdout).not.toBeNull();
    expect(Number(loaded![1])).toBeGreaterThan(1000);
    expect(await priceRows()).toBe(Number(loaded![1]));

    // prices load replaces the load: the same count again, not twice as many.
    const reload = await runCli(['prices', 'load', ...url], withCredential(collector, { env: WITHOUT_CHDB }));
    expect(reload.code, reload.stderr).toBe(0);
    expect(reload.stdout).toMatch(new RegExp(`^loaded ${loaded![1]} price rows`));
    expect(await priceRows()).toBe(Number(loaded![1]));
  });

  it('installs, lists and prices a schema in another database (--database, AICOST_DATABASE)', async () => {
    const url = ['--clickhouse-url', collector.clickhouseUrl];
    const installed = await runCli(
      ['migrate', '--database', 'finops', ...url],
      withCredential(collector, { env: WITHOUT_CHDB }),
    );
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(
      new RegExp(
        `^installed the schema \\(migrations ${ALL_MIGRATIONS} recorded\\): \\d+ statements in finops on `,
      ),
    );
    const status = await runCli(
      ['migrate', '--status', ...url],
      withCredential(collector, { env: { ...WITHOUT_CHDB, AICOST_DATABASE: 'finops' } }),
    );
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^migrations of finops on .*\n0001 baseline +applied +\d{4}-/);
    const loaded = await runCli(
      ['prices', 'load', '--database', 'finops', ...url],
      withCredential(collector, { env: WITHOUT_CHDB }),
    );
    expect(loaded.code, loaded.stderr).toBe(0);
    const count = async (database: string) => {
      const res = await runCli(
        ['sql', ...url, '--format', 'csv', `SELECT count() FROM ${database}.aicost_prices`],
        withCredential(collector),
      );
      expect(res.code, res.stderr).toBe(0);
      return Number(res.stdout.split('\n')[1]);
    };
    expect(await count('finops')).toBe(Number(/loaded (\d+) price rows/.exec(loaded.stdout)![1]));
    // The views of that database read that database's tables.
    const views = await runCli(
      [
        'sql',
        ...url,
        '--format',
        'csv',
        "SELECT count() FROM system.tables WHERE database = 'finops' AND create_table_query LIKE '%otel.%'",
      ],
      withCredential(collector),
    );
    expect(views.stdout).toBe('count()\n0\n');
    const bad = await runCli(
      ['migrate', '--database', 'fin-ops', ...url],
      withCredential(collector, { env: WITHOUT_CHDB }),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/database name must be letters, digits and underscores/);
  });

  it('refuses --prices-file without --with-prices (usage error)', async () => {
    const res = await runCli(
      ['migrate', '--clickhouse-url', collector.clickhouseUrl, '--prices-file', 'x.yaml'],
      withCredential(collector),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--prices-file goes with --with-prices/);
  });
});
