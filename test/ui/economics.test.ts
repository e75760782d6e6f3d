/**
 * The Economics and Reconciliation pages, on the unit-economics seed with revenue, capacity and
 * an OpenAI bill loaded by the real commands (test/ui/support.ts startEconomicsUi):
 * - the server answers exactly what the Economics dashboard and the overview's bill panels
 *   answer (each panel also expanded as Grafana and the plugin expand it and run here);
 * - in a real browser (Debian's Chromium through playwright-core), every figure of every table
 *   equals the engine's answer to the nano-dollar, key figures equal what the seed and the bill
 *   imply (margin = revenue − cost, capacity = units × rate × hours, ghost spend = what the bill
 *   adds to the traces) and `aicost reconcile`'s own totals; what-if figures are labelled as
 *   estimates; the time range and filters change the URL and the data; tables work from the
 *   keyboard; no console error; axe-core finds no serious violation in light and dark.
 *
 * `UPDATE_SCREENSHOTS=1` (`pnpm run screenshots`) also writes both pages to docs/ui/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatement } from '../../packages/cli/src/economics/data-file.js';
import { readDataFile } from '../../packages/cli/src/economics/load.js';
import { REVENUE } from '../../packages/cli/src/economics/tables.js';
import { queryReconciliation } from '../../packages/cli/src/reconcile/query.js';
import { parseNanos } from '../../packages/core/src/money/index.js';
import { PAGES } from '../../packages/ui/src/server/queries.js';
import { type Selection, variables } from '../grafana/fixtures.js';
import { DAY_MS, dayStart, isoDay, type SeedCall } from '../schema/economics-fixtures.js';
import { expandQuery } from '../support/grafana.js';
import { axeViolations, rendered, screenshot, text, useBrowser } from './browser-page.js';
import { type SeededUi, startEconomicsUi } from './support.js';

/** The page's globals as page.evaluate() callbacks use them (see browser.test.ts). */
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
};
declare const window: unknown;

const FROM = new Date(dayStart(30));
const TO = new Date(dayStart(0) + DAY_MS - 1000);
const RANGE = `from=${encodeURIComponent(FROM.toISOString())}&to=${encodeURIComponent(TO.toISOString())}`;
const API_RANGE = `from=${FROM.getTime() / 1000}&to=${TO.getTime() / 1000}`;

let ui: SeededUi & Awaited<ReturnType<typeof startEconomicsUi>>;
beforeAll(async () => {
  ui = await startEconomicsUi();
}, 300_000);
afterAll(() => ui?.close());

const { newPage, open } = useBrowser(() => ui.url);

/** A dashboard panel's SQL as Grafana would send it for this range and selection, run on the engine. */
function grafana(sql: string, selection: Selection = {}, from = FROM, to = TO) {
  return ui.query(expandQuery(sql, { from, to, intervalMs: 6 * 3_600_000, variables: variables(selection) }));
}

async function json(path: string): Promise<any> {
  const response = await fetch(`${ui.url}${path}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/** Rows as a multiset: a panel's ORDER BY may leave ties (two segments' periods) in either order. */
const unordered = (rows: Record<string, unknown>[]) => rows.map((row) => JSON.stringify(row)).sort();

/** Exact amount of a decimal text from the engine; null stays null. */
const nanos = (value: unknown) => (value === null || value === undefined ? null : parseNanos(String(value))!);

/** What the page shows back to nano-dollars: `$1,234.5`, `-$0.5`, `+$0.01`, `12.75 EUR`; `—` is null. */
function shownNanos(text: string | null): bigint | null {
  const value = (text ?? '').trim();
  if (value === '—') return null;
  const digits = value
    .replace(/^\+/, '')
    .replace('$', '')
    .replaceAll(',', '')
    .replace(/ [A-Z]{3}$/, '');
  const parsed = parseNanos(digits);
  if (parsed === undefined) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return parsed;
}

const share = (value: unknown) =>
  value === null || value === undefined ? '—' : `${(Number(value) * 100).toFixed(1)}%`;

type Kind = 'usd' | 'count' | 'text' | 'share';

/** A table's rows as the page shows them and as the engine answered, normalised alike and sorted. */
async function compareTable(
  page: Page,
  testId: string,
  engineRows: Record<string, unknown>[],
  columns: Record<string, Kind>,
) {
  const shownColumns: Record<string, string[]> = {};
  for (const column of Object.keys(columns)) {
    shownColumns[column] = await page
      .getByTestId(testId)
      .locator(`tbody td[data-col="${column}"]`)
      .allTextContents();
  }
  const normalise = (kind: Kind, value: unknown, shown: boolean): string => {
    if (kind === 'usd') return String(shown ? shownNanos(value as string) : nanos(value));
    if (kind === 'count') return shown ? String(value).replaceAll(',', '') : String(value ?? '—');
    if (kind === 'share') return shown ? String(value) : share(value);
    return shown ? String(value) : value === null || value === '' ? '—' : String(value);
  };
  const shown = Array.from({ length: shownColumns[Object.keys(columns)[0]!]!.length }, (_, i) =>
    Object.entries(columns)
      .map(([column, kind]) => normalise(kind, shownColumns[column]![i], true))
      .join(' | '),
  ).sort();
  const expected = engineRows
    .map((row) =>
      Object.entries(columns)
        .map(([column, kind]) => normalise(kind, row[column], false))
        .join(' | '),
    )
    .sort();
  expect(shown, testId).toEqual(expected);
}

/** Both themes: axe on each, a screenshot of each when asked. */
async function checkThemes(page: Page, name: string, darkScreenshot = false): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeViolations(page)).toEqual([]);
  if (darkScreenshot) await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

const priced = (calls: SeedCall[]) => calls.filter((call) => call.costNanos !== null);
const costOf = (calls: SeedCall[]) => priced(calls).reduce((sum, call) => sum + call.costNanos!, 0n);

describe('the same rows as the dashboards', () => {
  const selections: Array<{ selection: Selection; query: string }> = [
    { selection: {}, query: '' },
    {
      selection: { customer: ['acme', "o'reilly"], feature: ['support'] },
      query: `&customer=acme&customer=${encodeURIComponent("o'reilly")}&feature=support`,
    },
  ];
  for (const { selection, query } of selections) {
    it(`every Economics panel the page shows, ${query === '' ? 'All' : 'a selection'}`, async () => {
      const answer = await json(`/api/economics?${API_RANGE}${query}`);
      for (const [key, sql] of Object.entries(PAGES.economics)) {
        expect(unordered(answer.panels[key]), key).toEqual(unordered(await grafana(sql, selection)));
        if (query === '') expect(answer.panels[key].length, key).toBeGreaterThan(0);
      }
    }, 120_000);
  }

  it('malformed parameters get a 400 naming them, as on the other pages', async () => {
    for (const [query, message] of [
      ['from=yesterday&to=1', 'from: expected Unix seconds'],
      [`${API_RANGE}&customer=${'x'.repeat(1001)}`, 'customer: a value is longer than 1000 characters'],
    ] as const) {
      for (const path of ['/api/economics', '/api/reconciliation']) {
        const response = await fetch(`${ui.url}${path}?${query}`);
        expect(response.status, path).toBe(400);
        expect(((await response.json()) as { error: string }).error).toContain(message);
      }
    }
  });

  it('every bill panel the reconciliation page shows; the dimension filters do not apply to a bill', async () => {
    const answer = await json(`/api/reconciliation?${API_RANGE}&feature=support&customer=acme`);
    expect(answer.selection).toEqual({});
    for (const [key, sql] of Object.entries(PAGES.reconciliation)) {
      expect(unordered(answer.panels[key]), key).toEqual(unordered(await grafana(sql)));
      expect(answer.panels[key].length, key).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('economics page', () => {
  it('shows every figure of every panel to the nano-dollar; what-if amounts are labelled estimates', async () => {
    const { page, errors } = await newPage();
    await open(page, `/economics?${RANGE}`);
    const panel = (key: keyof typeof PAGES.economics) => grafana(PAGES.economics[key]);

    const margins = await panel('customer_margin');
    await compareTable(page, 'customer-margin', margins, {
      customer: 'text',
      segment: 'text',
      ai_cost_usd: 'usd',
      margin_usd: 'usd',
      margin_ratio: 'share',
    });
    // Revenue in its own currency: EUR is never shown as dollars, and it has no margin.
    const umbrella = margins.find((row) => row.customer === 'umbrella')!;
    expect(umbrella).toMatchObject({ currency: 'EUR', margin_usd: null });
    const umbrellaRow = page.getByTestId('customer-margin').locator('tr', { hasText: 'umbrella' });
    expect(await umbrellaRow.locator('td[data-col=revenue]').textContent()).toBe('12.75 EUR');
    // Independently of the views: acme pays $5.50 in the period and its calls since its start cost what the seed says.
    const periodStart = isoDay(dayStart(20));
    for (const [customer, revenue] of [
      ['acme', 5_500_000_000n],
      ['globex', 20_000_000_000n],
    ] as const) {
      const cost = costOf(
        ui.seed.calls.filter((call) => call.customer === customer && isoDay(call.start) >= periodStart),
      );
      const row = page
        .getByTestId('customer-margin')
        .locator('tr', { has: page.getByRole('link', { name: customer, exact: true }) })
        .filter({ hasText: periodStart });
      expect(shownNanos(await row.locator('td[data-col=margin_usd]').textContent()), customer).toBe(
        revenue - cost,
      );
    }

    await compareTable(page, 'segment-margin', await panel('segment_margin'), {
      segment: 'text',
      customers: 'count',
      ai_cost_usd: 'usd',
      margin_ratio: 'share',
    });

    const outcomes = await panel('cost_per_outcome');
    await compareTable(page, 'cost-per-outcome', outcomes, {
      outcome: 'text',
      feature: 'text',
      outcome_count: 'count',
      model_calls: 'count',
      unpriced_calls: 'count',
      cost_usd: 'usd',
      cost_per_outcome_usd: 'usd',
    });
    for (const feature of ['support', 'search']) {
      const traces = new Set(ui.seed.outcomes.filter((o) => o.feature === feature).map((o) => o.traceId));
      const row = page.getByTestId('cost-per-outcome').locator('tr', { hasText: feature });
      expect(shownNanos(await row.locator('td[data-col=cost_usd]').textContent()), feature).toBe(
        costOf(ui.seed.calls.filter((call) => traces.has(call.traceId))),
      );
    }

    await compareTable(page, 'release-costs', await panel('release_costs'), {
      service: 'text',
      release: 'text',
      requests: 'count',
      cost_per_request_usd: 'usd',
      previous_release: 'text',
      change_usd: 'usd',
    });
    const release2 = page.getByTestId('release-costs').locator('tr', { hasText: '2.0.0' });
    expect(await release2.locator('td[data-col=change_usd]').textContent()).toMatch(/^[+-]\$/);
    await compareTable(page, 'release-outcome-costs', await panel('release_outcome_costs'), {
      service: 'text',
      release: 'text',
      outcome: 'text',
      outcomes: 'count',
      cost_per_outcome_usd: 'usd',
      change_usd: 'usd',
    });

    const whatif = await panel('whatif_savings');
    expect(whatif.length).toBeGreaterThan(0);
    await compareTable(page, 'whatif', whatif, {
      feature: 'text',
      model: 'text',
      candidate: 'text',
      requests: 'count',
      recorded_usd: 'usd',
      estimate_usd: 'usd',
      estimated_savings_usd: 'usd',
    });
    // Labelled as estimates wherever they appear, never as a cost.
    const whatifSection = page.locator('section', { has: page.getByTestId('whatif') });
    expect(await whatifSection.locator('h2').textContent()).toMatch(/estimates/i);
    expect(await whatifSection.locator('p').first().textContent()).toMatch(/not measured costs/);
    const headers = await page.getByTestId('whatif').locator('th').allTextContents();
    expect(headers.filter((header) => /estimate/i.test(header))).toHaveLength(2);
    expect(await page.getByTestId('top-estimate').locator('..').textContent()).toMatch(/estimate/i);
    expect(shownNanos(await text(page, 'top-estimate'))).toBe(nanos(whatif[0]!.estimated_savings_usd));

    const capacity = await panel('capacity');
    await compareTable(page, 'capacity', capacity, {
      pool: 'text',
      hours: 'count',
      served_requests: 'count',
      capacity_usd: 'usd',
      allocated_usd: 'usd',
      idle_usd: 'usd',
      utilisation: 'share',
    });
    // 2 units x $1.50 x 6 hours; 1 unit x $0.333333333 x 2 hours; allocated + idle = capacity exactly.
    const pool = async (name: string, column: string) =>
      shownNanos(
        await page
          .getByTestId('capacity')
          .locator('tr', { hasText: name })
          .locator(`td[data-col=${column}]`)
          .textContent(),
      )!;
    expect(await pool('gpu-pool-a', 'capacity_usd')).toBe(18_000_000_000n);
    expect(await pool('gpu-pool-b', 'capacity_usd')).toBe(666_666_666n);
    for (const name of ['gpu-pool-a', 'gpu-pool-b']) {
      expect((await pool(name, 'allocated_usd')) + (await pool(name, 'idle_usd')), name).toBe(
        await pool(name, 'capacity_usd'),
      );
    }
    const idle = capacity.reduce((sum, row) => sum + nanos(row.idle_usd)!, 0n);
    expect(idle).toBeGreaterThan(0n);
    expect(shownNanos(await text(page, 'idle-cost'))).toBe(idle);

    await checkThemes(page, 'economics', true);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('a customer filter and the time range go into the URL and change the data', async () => {
    const { page, errors } = await newPage();
    await open(page, `/economics?${RANGE}`);
    await rendered(page, () => page.locator('select[name=customer]').selectOption('acme'));
    expect(new URL(page.url()).searchParams.getAll('customer')).toEqual(['acme']);
    expect(
      new Set(await page.getByTestId('customer-margin').locator('td[data-col=customer]').allTextContents()),
    ).toEqual(new Set(['acme']));
    const acme = ui.seed.outcomes.filter((o) => o.customer === 'acme');
    const shownOutcomes = await page
      .getByTestId('cost-per-outcome')
      .locator('td[data-col=outcome_count]')
      .allTextContents();
    expect(shownOutcomes.reduce((sum, count) => sum + Number(count), 0)).toBe(acme.length);
    await compareTable(
      page,
      'whatif',
      await grafana(PAGES.economics.whatif_savings, { customer: ['acme'] }),
      {
        feature: 'text',
        candidate: 'text',
        estimated_savings_usd: 'usd',
      },
    );

    // The last 24 hours: the pools ran two days ago, so no capacity; the URL says so.
    await rendered(page, () => page.locator('select[name=range]').selectOption('24h'));
    const url = new URL(page.url());
    expect(url.searchParams.get('range')).toBe('24h');
    expect(url.searchParams.get('from')).toBeNull();
    expect(url.searchParams.getAll('customer')).toEqual(['acme']);
    expect(await page.getByTestId('capacity').textContent()).toContain('No capacity pools in this range');
    expect(await text(page, 'idle-cost')).toBe('$0.00');

    await rendered(page, () => page.goBack());
    expect(await page.getByTestId('capacity').locator('td[data-col=pool]').count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('tables work from the keyboard: a wide table takes focus, Tab reaches a customer, Enter opens its page', async () => {
    const { page, errors } = await newPage();
    await open(page, `/economics?${RANGE}`);
    const region = page.getByRole('region', { name: 'Table: Gross AI margin by customer' });
    await region.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Table: Gross AI margin by customer',
    );
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    const name = (await focused.textContent())!;
    expect(
      await page.getByTestId('customer-margin').locator('td[data-col=customer]').allTextContents(),
    ).toContain(name);
    await rendered(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname).toBe(`/customers/${encodeURIComponent(name)}`);
    expect(new URL(page.url()).searchParams.get('from')).toBe(FROM.toISOString());
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
  it('revenue loaded while the page is open appears without a reload', async () => {
    const { page, errors } = await newPage();
    await open(page, `/economics?${RANGE}`);
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const csv = `customer,segment,period_start,period_end,amount\nhooli,enterprise,${isoDay(dayStart(5))},${isoDay(dayStart(0))},42.5`;
    // The poll (every 2 s) sees the new row and asks for the page's data again within seconds; the
    // page then shows once its seven queries are answered (~10 s on this loaded machine).
    const refresh = page.waitForRequest((request) => request.url().includes('/api/economics?'), {
      timeout: 6_000,
    });
    await ui.engine.query(insertStatement(REVENUE.table, readDataFile(REVENUE, 'revenue.csv', csv)));
    await refresh;
    const hooli = page.getByTestId('customer-margin').locator('tr', { hasText: 'hooli' });
    await hooli.waitFor({ timeout: 60_000 });
    expect(await hooli.locator('td[data-col=revenue]').textContent()).toBe('$42.50');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('reconciliation page', () => {
  it('shows the bill next to the traces to the nano-dollar, with aicost reconcile’s totals', async () => {
    const { page, errors } = await newPage();
    await open(page, `/reconciliation?${RANGE}`);
    const rows = await grafana(PAGES.reconciliation.bill_vs_traces);
    await compareTable(page, 'bill-vs-traces', rows, {
      day: 'text',
      provider: 'text',
      model: 'text',
      billed_usd: 'usd',
      traced_usd: 'usd',
      ghost_usd: 'usd',
      explained_unpriced_usd: 'usd',
      explained_tier_usd: 'usd',
      explained_batch_usd: 'usd',
      explained_price_change_usd: 'usd',
      unexplained_usd: 'usd',
      traced_requests: 'count',
      unpriced_requests: 'count',
    });

    // The totals are what `aicost reconcile` computes from its own query over the same days.
    const backend = {
      description: 'the UI test store',
      async run(sql: string, format = 'TabSeparated', params?: Record<string, string>) {
        return (await ui.engine.queryReadOnly(sql, { format, params })).text();
      },
      async close() {},
    };
    const reconciled = await queryReconciliation(backend, {
      fromDay: isoDay(FROM.getTime()),
      toDay: isoDay(TO.getTime()),
      providers: [],
    });
    const totals = reconciled.totals;
    expect(shownNanos(await text(page, 'ghost-total'))).toBe(totals.ghostUsd);
    expect(shownNanos(await text(page, 'billed-total'))).toBe(totals.billedUsd);
    expect(shownNanos(await text(page, 'traced-total'))).toBe(totals.tracedUsd);
    expect(shownNanos(await text(page, 'unexplained-total'))).toBe(totals.unexplainedUsd);
    expect(shownNanos(await text(page, 'traced-not-billed'))).toBe(totals.tracedNotBilledUsd);
    // And what the bill adds to the traces: $0.123456789 on every third day-and-model line, the
    // batch line ($0.75) of a project without spans, a credit (-$0.50).
    const lines = new Set(
      priced(ui.seed.calls)
        .filter((call) => call.model.startsWith('gpt-'))
        .map((call) => `${isoDay(call.start)}|${call.model}`),
    ).size;
    const extras = BigInt(Math.ceil(lines / 3)) * 123_456_789n;
    expect(totals.ghostUsd).toBe(extras + 750_000_000n - 500_000_000n);

    // Per provider and day: the same rows added up by the engine.
    const perDay = await ui.query(`SELECT toString(r.day) AS day, r.provider AS provider,
        countIf(r.billed_usd IS NOT NULL) > 0 AS billed,
        if(billed, sumIf(r.billed_usd, r.billed_usd IS NOT NULL), NULL) AS billed_usd,
        if(billed, sumIf(r.traced_usd, r.billed_usd IS NOT NULL), NULL) AS traced_usd,
        if(billed, sumIf(r.ghost_usd, r.billed_usd IS NOT NULL), NULL) AS ghost_usd,
        if(billed, sumIf(r.unexplained_usd, r.billed_usd IS NOT NULL), NULL) AS unexplained_usd,
        sumIf(r.traced_usd, r.billed_usd IS NULL) AS traced_not_billed_usd
      FROM otel.aicost_reconciliation AS r
      WHERE r.day >= toDate('${isoDay(FROM.getTime())}') AND r.day <= toDate('${isoDay(TO.getTime())}')
      GROUP BY r.day, r.provider`);
    expect(perDay.some((row) => row.provider === 'anthropic')).toBe(true);
    await compareTable(page, 'provider-days', perDay, {
      day: 'text',
      provider: 'text',
      billed_usd: 'usd',
      traced_usd: 'usd',
      ghost_usd: 'usd',
      unexplained_usd: 'usd',
      traced_not_billed_usd: 'usd',
    });
    const ghosts = (
      await page.getByTestId('provider-days').locator('td[data-col=ghost_usd]').allTextContents()
    )
      .map(shownNanos)
      .filter((value) => value !== null);
    expect([...ghosts].sort((a, b) => (a! < b! ? 1 : a! > b! ? -1 : 0))).toEqual(ghosts);

    await compareTable(page, 'untraced-projects', await grafana(PAGES.reconciliation.untraced_projects), {
      provider: 'text',
      project: 'text',
      service: 'text',
      billed_usd: 'usd',
    });
    expect(
      await page.getByTestId('untraced-projects').locator('td[data-col=project]').allTextContents(),
    ).toEqual(['proj_nightly']);

    await checkThemes(page, 'reconciliation');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('offers the time range only; changing it changes the URL and the rows', async () => {
    const { page, errors } = await newPage();
    await open(page, `/reconciliation?${RANGE}&feature=support`);
    expect(await page.locator('form.filters select').count()).toBe(1);
    const before = await page.getByTestId('bill-vs-traces').locator('tbody tr').count();
    await rendered(page, () => page.locator('select[name=range]').selectOption('24h'));
    expect(new URL(page.url()).searchParams.get('range')).toBe('24h');
    const now = new Date();
    const expected = await grafana(
      PAGES.reconciliation.bill_vs_traces,
      {},
      new Date(Math.floor(now.getTime() / 1000) * 1000 - DAY_MS),
      now,
    );
    const after = await page.getByTestId('bill-vs-traces').locator('tbody td[data-col=day]').count();
    expect(after).toBe(expected.length);
    expect(after).toBeLessThan(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
