/**
 * The reconciliation views (061) on the real engine, fed by the billing import's own
 * statements and by spans inserted as the exporter inserts them: billed vs traced per
 * provider, model and day, the share each known cause explains, re-imports that leave
 * totals unchanged, currencies never added together, and the suggestions built on them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE_PROVIDER_BY_GENAI_NAME, formatNanos } from '@aicost/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatements, toTableRows } from '../../packages/cli/src/billing/load.js';
import { type ProjectMapping, parseProjectMapping } from '../../packages/cli/src/billing/mapping.js';
import { readBillingFile } from '../../packages/cli/src/billing/read.js';
import { queryReconciliation } from '../../packages/cli/src/reconcile/query.js';
import { suggest } from '../../packages/cli/src/reconcile/suggest.js';
import type { SqlBackend } from '../../packages/cli/src/store/backend.js';
import { dashboards } from '../grafana/fixtures.js';
import { ALIASES, aicostCostAttributes, callSpan, keepPinnedDates, PRICES } from '../schema/fixtures.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import { expandQuery } from '../support/grafana.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let engine: EngineSession;
let backend: SqlBackend;

const MAPPING = parseProjectMapping(
  'projects:\n  proj_support: { service: support-app }\n  proj_nightly: { service: nightly-digest }\n',
  'mapping.yaml',
);

async function importFile(
  path: string,
  mapping: ProjectMapping = MAPPING,
  usdRates = new Map<string, string>(),
) {
  const read = await readBillingFile(path);
  const rows = toTableRows(read.rows, { file: path, importId: 'test', mapping, usdRates });
  for (const statement of insertStatements(rows)) engine.exec(statement);
  return rows;
}

/** An OpenAI Costs API page with the given results on one day. */
function costsPage(
  startTime: number,
  results: { value: string; lineItem: string | null; project: string | null; quantity?: number }[],
) {
  const items = results.map(
    (r) =>
      `{"object":"organization.costs.result","amount":{"value":${r.value},"currency":"usd"},"line_item":${JSON.stringify(r.lineItem)},"project_id":${JSON.stringify(r.project)},"quantity":${r.quantity ?? null}}`,
  );
  return `{"object":"page","data":[{"object":"bucket","start_time":${startTime},"end_time":${startTime + 86400},"results":[\n${items.join(',\n')}\n]}],"has_more":false,"next_page":null}\n`;
}

const DAY1 = 1796083200; // 2026-12-01
const DAY2 = 1796169600; // 2026-12-02

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  backend = {
    description: 'test engine',
    async run(sql, format = 'TabSeparated', params) {
      return params ? engine.session.queryBind(sql, params, format) : engine.session.query(sql, format);
    },
    async close() {},
  };
  const at = '2026-12-01 10:00:00';
  const mini = {
    provider: 'openai',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini',
    service: 'support-app',
    start: at,
  };
  await insertSpans(engine, [
    // Two priced gpt-4o-mini calls (1000 in, 500 out at 0.15/0.6 per million: $0.00045 each).
    ...[1, 2].map(() =>
      callSpan({
        ...mini,
        usage: { input: 1000, output: 500 },
        attributes: aicostCostAttributes({
          total: '0.000450000',
          providerId: 'openai',
          modelId: 'gpt-4o-mini',
        }),
      }),
    ),
    // One gpt-4o-mini call that arrived without a cost while no prices were loaded: unpriced.
    callSpan({ ...mini, usage: { input: 2000, output: 1000 } }),
    // gpt-4.1 costed by an app running the old catalogue ($2/$8 per million; the price dropped
    // to $1.5/$6 on 2026-06-01): 10000 in, 1000 out recorded at $0.028.
    callSpan({
      provider: 'openai',
      requestModel: 'gpt-4.1',
      responseModel: 'gpt-4.1',
      service: 'support-app',
      start: at,
      usage: { input: 10000, output: 1000 },
      attributes: aicostCostAttributes({ total: '0.028000000', providerId: 'openai', modelId: 'gpt-4.1' }),
    }),
  ]);
  // Prices loaded after the spans: the unpriced span stays unpriced, re-pricing sees today's prices.
  await loadPriceRows(engine, PRICES, ALIASES);

  const dir = engine.dir;
  writeFileSync(
    join(dir, 'day1.json'),
    costsPage(DAY1, [
      { value: '0.0006', lineItem: 'gpt-4o-mini-2024-07-18, input', project: 'proj_support', quantity: 4000 },
      {
        value: '0.0012',
        lineItem: 'gpt-4o-mini-2024-07-18, output',
        project: 'proj_support',
        quantity: 2000,
      },
      // Flex: half of today's standard price of the traced gpt-4.1 call ($0.021 / 2).
      {
        value: '0.0105',
        lineItem: 'gpt-4.1-2025-04-14, input, flex',
        project: 'proj_support',
        quantity: 11000,
      },
    ]),
  );
  writeFileSync(
    join(dir, 'day2.json'),
    costsPage(DAY2, [
      {
        value: '0.5',
        lineItem: 'gpt-4o-mini-2024-07-18, input, batch',
        project: 'proj_nightly',
        quantity: 100000,
      },
      { value: '0.25', lineItem: 'gpt-4o-mini-2024-07-18, output', project: 'proj_nightly', quantity: 1000 },
      { value: '-2.5', lineItem: null, project: null },
    ]),
  );
  await importFile(join(dir, 'day1.json'));
  await importFile(join(dir, 'day2.json'));
  await importFile(join(FIXTURES, 'gcp-billing-export.jsonl'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

const window = { fromDay: '2026-12-01', toDay: '2026-12-02', providers: [] };

describe('otel.aicost_reconciliation', () => {
  it('explains unpriced spans at the bill price per token: ghost spend fully explained', async () => {
    const { rows } = await queryReconciliation(backend, window);
    const mini = rows.find((r) => r.day === '2026-12-01' && r.model === 'gpt-4o-mini');
    expect(mini).toMatchObject({
      billedUsd: 1_800_000n,
      tracedUsd: 900_000n,
      tracedRequests: 3,
      unpricedRequests: 1,
      unpricedTokens: 3000n,
      billedTokens: 6000n,
      ghostUsd: 900_000n,
      // 0.0018 * 3000 / 6000
      explainedUnpricedUsd: 900_000n,
      unexplainedUsd: 0n,
    });
  });

  it('explains a flex-tier bill and a price change: the traces overstate, nothing unexplained', async () => {
    const { rows } = await queryReconciliation(backend, window);
    const flex = rows.find((r) => r.model === 'gpt-4.1');
    expect(flex).toMatchObject({
      billedUsd: 10_500_000n,
      flexUsd: 10_500_000n,
      tracedUsd: 28_000_000n,
      ghostUsd: -17_500_000n,
      explainedTierUsd: -10_500_000n,
      // Today's price ($0.021) minus the recorded cost ($0.028).
      explainedPriceChangeUsd: -7_000_000n,
      unexplainedUsd: 0n,
    });
  });

  it('shows spend with no spans (a batch project) and a credit without a model as ghost spend', async () => {
    const { rows } = await queryReconciliation(backend, window);
    const nightly = rows.find(
      (r) => r.day === '2026-12-02' && r.provider === 'openai' && r.model === 'gpt-4o-mini',
    );
    expect(nightly).toMatchObject({
      billedUsd: 750_000_000n,
      tracedRequests: 0,
      ghostUsd: 750_000_000n,
      explainedBatchUsd: 500_000_000n,
      unexplainedUsd: 250_000_000n,
    });
    const credit = rows.find((r) => r.day === '2026-12-02' && r.provider === 'openai' && r.model === '');
    expect(credit).toMatchObject({
      billedUsd: -2_500_000_000n,
      creditsUsd: -2_500_000_000n,
      ghostUsd: -2_500_000_000n,
    });
    // The ghost spend leads: rows come ordered by it, largest first, rows without a bill last.
    const ghosts = rows.flatMap((r) => (r.ghostUsd === undefined ? [] : [r.ghostUsd]));
    expect(ghosts).toEqual([...ghosts].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    expect(rows.findIndex((r) => r.ghostUsd === undefined)).toBeGreaterThanOrEqual(ghosts.length);
  });

  it('keeps EUR apart from USD until the user gives a rate', async () => {
    let { rows, totals } = await queryReconciliation(backend, window);
    let pro = rows.find((r) => r.model === 'gemini-2.5-pro');
    expect(pro?.billedUsd).toBeUndefined();
    expect(pro?.billedOtherCurrencies).toEqual({ EUR: 1_100_000_000n });
    expect(totals.otherCurrencies).toEqual({ EUR: 1_100_000_000n });

    await importFile(join(FIXTURES, 'gcp-billing-export.jsonl'), MAPPING, new Map([['EUR', '1.08']]));
    ({ rows, totals } = await queryReconciliation(backend, window));
    pro = rows.find((r) => r.model === 'gemini-2.5-pro');
    expect(pro?.billedUsd).toBe(1_188_000_000n);
    expect(pro?.billedOtherCurrencies).toEqual({});
    expect(totals.otherCurrencies).toEqual({});
  });

  it('re-importing the same files leaves every total unchanged', async () => {
    const before = await queryReconciliation(backend, window);
    await importFile(join(engine.dir, 'day1.json'));
    await importFile(join(engine.dir, 'day2.json'));
    await importFile(join(FIXTURES, 'gcp-billing-export.jsonl'), MAPPING, new Map([['EUR', '1.08']]));
    const after = await queryReconciliation(backend, window);
    expect(after).toEqual(before);
    // The copies are there until merged; the views read one per row hash.
    const [stored] = engine.query<{ rows: string; distinct: string }>(
      'SELECT count() AS rows, uniqExact(row_hash) AS distinct FROM otel.aicost_billing',
    );
    expect(Number(stored?.rows)).toBeGreaterThan(Number(stored?.distinct));
  });

  it('adds the rows up in the engine: rows without a USD bill are traced-not-billed, never ghost spend', async () => {
    const { rows, models, totals } = await queryReconciliation(backend, window);
    const billed = rows.filter((r) => r.billedUsd !== undefined);
    const sum = (values: (bigint | undefined)[]) => values.reduce<bigint>((a, v) => a + (v ?? 0n), 0n);
    expect(totals).toMatchObject({
      billedUsd: sum(billed.map((r) => r.billedUsd)),
      tracedUsd: sum(billed.map((r) => r.tracedUsd)),
      ghostUsd: sum(billed.map((r) => r.ghostUsd)),
      explainedTierUsd: sum(billed.map((r) => r.explainedTierUsd)),
      unexplainedUsd: sum(billed.map((r) => r.unexplainedUsd)),
      tracedNotBilledUsd: sum(rows.filter((r) => r.billedUsd === undefined).map((r) => r.tracedUsd)),
    });
    // Per provider and model over the window, as the suggestions read them.
    expect(models.length).toBe(new Set(rows.map((r) => `${r.provider}/${r.model}`)).size);
    for (const m of models) {
      const group = rows.filter((r) => r.provider === m.provider && r.model === m.model);
      const groupBilled = group.filter((r) => r.billedUsd !== undefined);
      expect(m.billedUsd, `${m.provider}/${m.model}`).toBe(
        groupBilled.length === 0 ? undefined : sum(groupBilled.map((r) => r.billedUsd)),
      );
      expect(m.tracedRequests).toBe(group.reduce((a, r) => a + r.tracedRequests, 0));
      expect(m.flexUsd).toBe(sum(group.map((r) => r.flexUsd)));
    }
    // Per provider and day, as the UI page and the dashboard show them.
    const perDay = engine.query<{ day: string; provider: string; ghost_nanos: string | null }>(
      `SELECT toString(day) AS day, provider, toString(CAST(ghost_usd * 1000000000 AS Nullable(Int128))) AS ghost_nanos
       FROM otel.aicost_reconciliation_totals WHERE day >= '2026-12-01' AND day <= '2026-12-02'`,
    );
    expect(perDay.length).toBeGreaterThan(1);
    for (const { day, provider, ghost_nanos } of perDay) {
      const group = billed.filter((r) => r.day === day && r.provider === provider);
      expect(ghost_nanos, `${day} ${provider}`).toBe(
        group.length === 0 ? null : String(sum(group.map((r) => r.ghostUsd))),
      );
    }
  }, 120_000);

  it('maps span provider names to billing providers like @aicost/core does', () => {
    const names = Object.keys(CATALOGUE_PROVIDER_BY_GENAI_NAME);
    const rows = engine.query<{ name: string; provider: string }>(
      `SELECT name, aicost_billing_provider(name) AS provider FROM (SELECT arrayJoin([${names.map((n) => `'${n}'`).join(', ')}]) AS name)`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.provider]))).toEqual(
      CATALOGUE_PROVIDER_BY_GENAI_NAME,
    );
  });
});

describe('the service tier part, from the traced side', () => {
  const DAY3 = 1796256000; // 2026-12-03
  const DAY4 = 1796342400; // 2026-12-04
  const flexCall = (start: string, cost?: string, tier?: string) =>
    callSpan({
      provider: 'openai',
      requestModel: 'gpt-4.1',
      responseModel: 'gpt-4.1',
      service: 'support-app',
      start,
      // Today's gpt-4.1 price ($1.5/$6 per million): $0.021 at standard, $0.0105 at flex.
      usage: { input: 10000, output: 1000 },
      attributes: {
        ...(cost === undefined
          ? {}
          : aicostCostAttributes({
              total: cost,
              providerId: 'openai',
              modelId: 'gpt-4.1',
              version: tier === 'flex' ? 'genai-prices@0.1.8+service-tiers@2026-12-07' : undefined,
            })),
        ...(tier === undefined ? {} : { 'aicost.service_tier': tier }),
      },
    });
  const flexBill = (day: number, value: string) =>
    costsPage(day, [
      { value, lineItem: 'gpt-4.1-2025-04-14, input, flex', project: 'proj_support', quantity: 22000 },
    ]);

  it('a flex day traced at the flex rate reconciles to zero: no tier or price change is made up', async () => {
    await insertSpans(engine, [
      // Costed by @aicost/core at the flex rate, and one costed at ingest by the tier rules.
      flexCall('2026-12-03 09:00:00', '0.010500000', 'flex'),
      flexCall('2026-12-03 09:05:00', undefined, 'flex'),
    ]);
    writeFileSync(join(engine.dir, 'day3.json'), flexBill(DAY3, '0.021'));
    await importFile(join(engine.dir, 'day3.json'));
    const { rows } = await queryReconciliation(backend, {
      fromDay: '2026-12-03',
      toDay: '2026-12-03',
      providers: [],
    });
    expect(rows.find((r) => r.model === 'gpt-4.1')).toMatchObject({
      billedUsd: 21_000_000n,
      flexUsd: 21_000_000n,
      tracedRequests: 2,
      tracedUsd: 21_000_000n,
      ghostUsd: 0n,
      explainedTierUsd: 0n,
      explainedPriceChangeUsd: 0n,
      unexplainedUsd: 0n,
    });
  }, 120_000);

  it('explains only the flex bill that spans without a recorded tier were costed at standard for', async () => {
    await insertSpans(engine, [
      flexCall('2026-12-04 09:00:00', '0.010500000', 'flex'),
      // An instrumentation that did not record the served tier: costed at the standard price.
      flexCall('2026-12-04 09:05:00', '0.021000000'),
    ]);
    writeFileSync(join(engine.dir, 'day4.json'), flexBill(DAY4, '0.021'));
    await importFile(join(engine.dir, 'day4.json'));
    const { rows } = await queryReconciliation(backend, {
      fromDay: '2026-12-04',
      toDay: '2026-12-04',
      providers: [],
    });
    expect(rows.find((r) => r.model === 'gpt-4.1')).toMatchObject({
      billedUsd: 21_000_000n,
      tracedUsd: 31_500_000n,
      ghostUsd: -10_500_000n,
      // The $0.0105 of the bill no flex span accounts for, costed at $0.021 by the untiered span.
      explainedTierUsd: -10_500_000n,
      explainedPriceChangeUsd: 0n,
      unexplainedUsd: 0n,
    });
  }, 120_000);
});

describe('suggestions', () => {
  it('names the uninstrumented project, the flex tier, batch jobs, unpriced spans and the other currency', async () => {
    engine.exec("ALTER TABLE otel.aicost_billing DELETE WHERE currency = 'EUR' SETTINGS mutations_sync = 1");
    await importFile(join(FIXTURES, 'gcp-billing-export.jsonl'));
    const byKind = new Map<string, string[]>();
    for (const s of suggest(await queryReconciliation(backend, window)))
      byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.message]);
    expect(byKind.get('uninstrumented_project')).toEqual([
      'traffic on project proj_nightly (openai, service nightly-digest) has no spans: uninstrumented service? $0.750000 billed',
    ]);
    expect(byKind.get('service_tier')?.[0]).toBe(
      'gpt-4.1 (openai) was billed $0.010500 at the flex tier, half the standard price the spans are costed at: the traces overstate it by that much',
    );
    expect(byKind.get('batch')?.[0]).toContain(
      'gpt-4o-mini (openai) was billed $0.500000 for Batch API jobs',
    );
    expect(byKind.get('unpriced_spans')).toEqual([
      '1 span(s) of gpt-4o-mini (openai) have no price: load prices (aicost prices load) or add an override',
    ]);
    expect(byKind.get('other_currency')?.[0]).toContain(
      '1.100000000 EUR billed is not compared with traced USD; re-import with --usd-rate EUR=',
    );
    // Google projects are not in the mapping while OpenAI ones are: the user is told.
    expect(
      byKind
        .get('unmapped_project')
        ?.some((m) => m.startsWith('project support-prod (google) is not in the mapping file')),
    ).toBe(true);
  });

  it('words the flex and priority tiers from the tier rules the store prices with', async () => {
    const DAY5 = 1796428800; // 2026-12-05
    writeFileSync(
      join(engine.dir, 'day5.json'),
      costsPage(DAY5, [
        {
          value: '0.04',
          lineItem: 'gpt-4.1-2025-04-14, input, priority',
          project: 'proj_support',
          quantity: 10000,
        },
      ]),
    );
    await importFile(join(engine.dir, 'day5.json'));
    const day = (d: string) => ({ fromDay: d, toDay: d, providers: [] });
    const priority = suggest(await queryReconciliation(backend, day('2026-12-05'))).find(
      (s) => s.kind === 'priority_tier',
    );
    // OpenAI's priority tier has no reviewed price (SERVICE_TIER_RULES): its spans are unpriced.
    expect(priority?.message).toBe(
      'gpt-4.1 (openai) was billed $0.040000 at the priority tier, which has no price rule in aicost: spans served at it are unpriced (unknown_service_tier), never costed at the standard price',
    );
    // A flex day traced at the flex rate: nothing to suggest about the tier.
    const flexDay = suggest(await queryReconciliation(backend, day('2026-12-03')));
    expect(flexDay.filter((s) => s.kind === 'service_tier')).toEqual([]);
    // Spans without a recorded tier beside flex ones: only their part is named.
    const mixed = suggest(await queryReconciliation(backend, day('2026-12-04'))).filter(
      (s) => s.kind === 'service_tier',
    );
    expect(mixed.map((s) => s.message)).toEqual([
      'gpt-4.1 (openai) was billed $0.010500 at the flex tier, half the standard price the spans are costed at: the traces overstate it by that much (spans that recorded no service tier; the $0.010500 of spans served at flex are costed at its rate)',
    ]);
  }, 120_000);

  it('says thinking tokens may be missing when a Gemini bill has more tokens than its spans', async () => {
    await insertSpans(engine, [
      callSpan({
        provider: 'gcp.gemini',
        requestModel: 'gemini-2.5-flash',
        responseModel: 'gemini-2.5-flash',
        service: 'support-app',
        start: '2026-12-01 11:00:00',
        usage: { input: 1_000_000, output: 450_000 },
        attributes: aicostCostAttributes({
          total: '1.425000000',
          providerId: 'google',
          modelId: 'gemini-2.5-flash',
        }),
      }),
    ]);
    const reconciliation = await queryReconciliation(backend, window);
    const flash = reconciliation.rows.find((r) => r.model === 'gemini-2.5-flash');
    // The fixture bills 1,000,000 input and 1,000,000 output tokens.
    expect([flash?.billedTokens, flash?.tracedTokens]).toEqual([2_000_000n, 1_450_000n]);
    const message = suggest(reconciliation).find(
      (s) => s.kind === 'tokens_exceed_traced' && s.subject === 'gemini-2.5-flash',
    );
    expect(message?.message).toBe(
      'billed tokens exceed traced by 38% for gemini-2.5-flash (2000000 billed, 1450000 traced): thinking tokens not traced?',
    );
  });
});

describe('the bill panels of the Overview dashboard', () => {
  const panelSql = (title: string) => {
    const found = dashboards.find((d) => d.uid === 'aicost-overview')?.panels.find((p) => p.title === title);
    if (!found) throw new Error(`no panel ${title}`);
    return expandQuery(found.targets[0]?.rawSql ?? '', {
      from: new Date('2026-12-01T06:00:00Z'),
      to: new Date('2026-12-02T18:00:00Z'),
      intervalMs: 3_600_000,
      variables: [],
    });
  };
  const money = (value: bigint | undefined) => (value === undefined ? null : formatNanos(value));

  it('shows the rows aicost reconcile prints, in its order, for the UTC days of the range', async () => {
    const { rows } = await queryReconciliation(backend, window);
    const shown = engine.query<Record<string, string | null>>(
      panelSql('Bill vs traces per provider, model and day'),
    );
    expect(shown.map((r) => [r.day, r.provider, r.model, r.ghost_usd, r.unexplained_usd])).toEqual(
      rows.map((r) => [
        r.day,
        r.provider,
        r.model || '(no model)',
        money(r.ghostUsd),
        money(r.unexplainedUsd),
      ]),
    );
  });

  it('lists the mapped project that has spend and no spans', () => {
    const projects = engine.query<{ project: string; service: string }>(
      panelSql('Billed projects without spans'),
    );
    expect(projects.map((p) => [p.project, p.service])).toEqual([['proj_nightly', 'nightly-digest']]);
  });
});
