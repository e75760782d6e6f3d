/**
 * The UI in a real browser (Debian's Chromium, headless, driven by playwright-core) on the
 * Grafana suites' seed: every page loads without a console error and passes axe-core without
 * a serious or critical violation; the figures shown are the engine's answers to the
 * nano-dollar (asked here with SQL of this file over the request table, not the UI's queries
 * over the rollups); filters change the URL and the data; a request row opens its trace; a
 * model call's cost components add up to its cost; a new request appears without a reload.
 *
 * `UPDATE_SCREENSHOTS=1` (`pnpm run screenshots`) also writes each page to docs/ui/.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNanos } from '../../packages/core/src/money/index.js';
import { CURRENT_FROM, CURRENT_TO } from '../grafana/fixtures.js';
import { callSpan } from '../schema/fixtures.js';
import { axeViolations, rendered, screenshot, text, useBrowser } from './browser-page.js';
import { type SeededUi, startSeededUi } from './support.js';

/**
 * The page's globals as the callbacks given to page.evaluate() use them. Declared here rather
 * than with the DOM lib, which would retype fetch() and its bodies for every suite in test/.
 */
interface PageElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
declare const document: {
  activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
};
declare const window: unknown;
declare const localStorage: { removeItem(key: string): void };

const from = CURRENT_FROM.toISOString();
const to = CURRENT_TO.toISOString();
const RANGE = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
/** The same range in SQL (seconds, inclusive), for the engine's own answers. */
const SQL_RANGE = `timestamp >= toDateTime(${CURRENT_FROM.getTime() / 1000}) AND timestamp <= toDateTime(${CURRENT_TO.getTime() / 1000})`;

let ui: SeededUi;
beforeAll(async () => {
  ui = await startSeededUi();
}, 120_000);
afterAll(() => ui?.close());

const { newPage, open } = useBrowser(() => ui.url);

/** `$1,234.500000001` → nanos; `—` → null. */
function shownNanos(text: string | null): bigint | null {
  const value = (text ?? '').trim();
  if (value === '—') return null;
  const nanos = parseNanos(value.replace(/^\$/, '').replaceAll(',', '').split(' ')[0]!);
  if (nanos === undefined) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return nanos;
}

const nanos = (value: unknown) => (value === null ? null : parseNanos(String(value))!);

/** Column `column` of a table, by its data-col cells, as the page shows them. */
async function columnTexts(page: Page, testId: string, column: string): Promise<string[]> {
  return page.getByTestId(testId).locator(`tbody td[data-col="${column}"]`).allTextContents();
}

describe('overview', () => {
  it('shows the engine’s totals, features, customers, unpriced reasons and cache savings to the nano-dollar', async () => {
    const { page, errors } = await newPage();
    await open(page, `/?${RANGE}`);
    const [totals] = await ui.query<Record<string, string>>(
      `SELECT toString(sum(cost_total)) AS spend, toString(count()) AS requests,
              toString(countIf(cost_total IS NOT NULL)) AS priced, toString(countIf(cost_total IS NULL)) AS unpriced
       FROM otel.aicost_requests WHERE ${SQL_RANGE}`,
    );
    const spend = nanos(totals!.spend)!;
    expect(shownNanos(await text(page, 'total-spend'))).toBe(spend);
    expect(await text(page, 'request-count')).toBe(Number(totals!.requests).toLocaleString('en-US'));
    // Decimal division in SQL truncates to the nano.
    expect(shownNanos(await text(page, 'cost-per-request'))).toBe(spend / BigInt(totals!.priced!));
    expect(await text(page, 'unpriced-share')).toBe(
      `${((Number(totals!.unpriced) / Number(totals!.requests)) * 100).toFixed(1)}%`,
    );

    for (const dimension of ['feature', 'customer'] as const) {
      const expected = await ui.query<{ name: string; spend: string | null }>(
        `SELECT if(${dimension} = '', '(none)', ${dimension}) AS name, toString(sum(cost_total)) AS spend
         FROM otel.aicost_requests WHERE ${SQL_RANGE} GROUP BY name`,
      );
      const names = await columnTexts(page, `top-${dimension}s`, dimension);
      const spends = await columnTexts(page, `top-${dimension}s`, 'spend_usd');
      expect([...names].sort()).toEqual(expected.map((row) => row.name).sort());
      for (const row of expected) {
        expect(shownNanos(spends[names.indexOf(row.name)]!), row.name).toBe(nanos(row.spend));
      }
    }

    const reasons = await ui.query<{ reason: string; requests: string }>(
      `SELECT cost_status_reason AS reason, toString(count()) AS requests
       FROM otel.aicost_requests WHERE ${SQL_RANGE} AND cost_total IS NULL GROUP BY reason`,
    );
    expect(reasons.length).toBeGreaterThan(0);
    const shownReasons = await columnTexts(page, 'unpriced-reasons', 'reason');
    const shownCounts = await columnTexts(page, 'unpriced-reasons', 'request_count');
    for (const row of reasons) expect(shownCounts[shownReasons.indexOf(row.reason)]).toBe(row.requests);

    const [saved] = await ui.query<{ saved: string }>(
      `SELECT toString(sum(savings_usd)) AS saved FROM otel.aicost_cache_savings
       WHERE day >= toDate('${from.slice(0, 10)}') AND day <= toDate('${to.slice(0, 10)}')`,
    );
    expect(nanos(saved!.saved)).toBeGreaterThan(0n);
    expect(shownNanos(await text(page, 'cache-saved'))).toBe(nanos(saved!.saved));

    expect(await page.locator('.uplot canvas').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'overview');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    await rendered(page, () => page.getByRole('button', { name: /theme/i }).click());
    await rendered(page, () => page.getByRole('button', { name: /theme/i }).click());
    await screenshot(page, 'overview-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.evaluate(() => localStorage.removeItem('aicost-theme'));
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('feature and customer pages', () => {
  it('a feature link opens its page: the URL names it, the figures are that feature’s', async () => {
    const { page, errors } = await newPage();
    await open(page, `/?${RANGE}`);
    await rendered(page, () =>
      page.getByTestId('top-features').getByRole('link', { name: 'search', exact: true }).click(),
    );
    expect(new URL(page.url()).pathname).toBe('/features/search');
    expect(new URL(page.url()).searchParams.get('from')).toBe(from);
    const [expected] = await ui.query<Record<string, string>>(
      `SELECT toString(sum(cost_total)) AS spend, toString(count()) AS requests, toString(max(cost_total)) AS max,
              toString(countIf(cost_total > 0)) AS priced
       FROM otel.aicost_requests WHERE ${SQL_RANGE} AND feature = 'search'`,
    );
    expect(shownNanos(await text(page, 'total-spend'))).toBe(nanos(expected!.spend));
    expect(await text(page, 'request-count')).toBe(expected!.requests);
    expect(shownNanos(await text(page, 'max'))).toBe(nanos(expected!.max));
    const first = await columnTexts(page, 'most-expensive', 'cost_usd');
    expect(shownNanos(first[0]!)).toBe(nanos(expected!.max));
    // The distribution counts every priced request once.
    const buckets = await page.getByTestId('cost-distribution').locator('li .num').allTextContents();
    const counted = buckets.reduce((sum, line) => sum + Number(line.split(' ')[0]!.replaceAll(',', '')), 0);
    expect(counted).toBe(Number(expected!.priced));
    expect(await page.getByTestId('top-models').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'feature');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a customer whose id has a quote gets its own page with its figures', async () => {
    const { page, errors } = await newPage();
    await open(page, `/customers/${encodeURIComponent("o'reilly")}?${RANGE}`);
    const [expected] = await ui.query<Record<string, string>>(
      `SELECT toString(sum(cost_total)) AS spend, toString(count()) AS requests
       FROM otel.aicost_requests WHERE ${SQL_RANGE} AND customer = 'o\\'reilly'`,
    );
    expect(await page.locator('h1').textContent()).toBe("Customer: o'reilly");
    expect(shownNanos(await text(page, 'total-spend'))).toBe(nanos(expected!.spend));
    expect(await text(page, 'request-count')).toBe(expected!.requests);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'customer');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('economics and reconciliation without business data', () => {
  it('load without a console error and say which command fills each empty table', async () => {
    const { page, errors } = await newPage();
    await open(page, `/economics?${RANGE}`);
    expect(await page.getByTestId('customer-margin').textContent()).toContain('aicost revenue load');
    expect(await page.getByTestId('capacity').textContent()).toContain('aicost capacity load');
    expect(await page.getByTestId('cost-per-outcome').textContent()).toContain('recordOutcome()');
    expect(await text(page, 'idle-cost')).toBe('$0.00');
    expect(await axeViolations(page)).toEqual([]);

    await open(page, `/reconciliation?${RANGE}`);
    // No bill: no ghost spend can be known (not $0); what was traced is traced, not billed.
    expect(await text(page, 'ghost-total')).toBe('—');
    expect(await text(page, 'billed-total')).toBe('—');
    const [traced] = await ui.query<{ spend: string }>(
      `SELECT toString(sum(cost_total)) AS spend FROM otel.aicost_requests
       WHERE toDate(timestamp) >= toDate('${from.slice(0, 10)}') AND toDate(timestamp) <= toDate('${to.slice(0, 10)}')`,
    );
    expect(shownNanos(await text(page, 'traced-not-billed'))).toBe(nanos(traced!.spend));
    expect(await page.getByTestId('untraced-projects').textContent()).toContain('Every mapped project');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('requests', () => {
  const count = async (where: string) => {
    const [row] = await ui.query<{ n: string; spend: string | null }>(
      `SELECT toString(count()) AS n, toString(sum(cost_total)) AS spend FROM otel.aicost_requests WHERE ${SQL_RANGE} AND ${where}`,
    );
    return { n: row!.n, spend: nanos(row!.spend) };
  };

  it('filters go into the URL and change the rows; sorting by cost puts the costliest first', async () => {
    const { page, errors } = await newPage();
    await open(page, `/requests?${RANGE}`);
    const all = await count('1');
    expect((await text(page, 'match-count')).replaceAll(',', '')).toBe(all.n);

    await rendered(page, () => page.locator('select[name=feature]').selectOption('chat'));
    expect(new URL(page.url()).searchParams.getAll('feature')).toEqual(['chat']);
    const chat = await count("feature = 'chat'");
    expect(await text(page, 'match-count')).toBe(chat.n);
    expect(shownNanos(await text(page, 'match-spend'))).toBe(chat.spend);
    expect(new Set(await columnTexts(page, 'requests', 'feature'))).toEqual(new Set(['chat']));

    await rendered(page, () => page.locator('select[name=status]').selectOption('error'));
    expect(new URL(page.url()).searchParams.get('status')).toBe('error');
    expect(await text(page, 'match-count')).toBe(
      (await count("feature = 'chat' AND status_code = 'Error'")).n,
    );

    await rendered(page, () => page.locator('select[name=status]').selectOption(''));
    await rendered(page, async () => {
      await page.locator('input[name=cost_min]').fill('0.1');
      await page.locator('input[name=cost_min]').press('Enter');
      await page.locator('input[name=cost_min]').blur();
    });
    expect(new URL(page.url()).searchParams.get('cost_min')).toBe('0.1');
    expect(await text(page, 'match-count')).toBe((await count("feature = 'chat' AND cost_total >= 0.1")).n);

    await rendered(page, () => page.getByRole('button', { name: /^Cost/ }).click());
    expect(new URL(page.url()).searchParams.get('sort')).toBe('cost');
    const [costliest] = await ui.query<{ cost: string }>(
      `SELECT toString(max(cost_total)) AS cost FROM otel.aicost_requests WHERE ${SQL_RANGE} AND feature = 'chat'`,
    );
    const costs = (await columnTexts(page, 'requests', 'cost_usd')).map(shownNanos);
    expect(costs[0]).toBe(nanos(costliest!.cost));
    expect([...costs].sort((a, b) => (a! < b! ? 1 : a! > b! ? -1 : 0))).toEqual(costs);
    expect(await page.getByRole('columnheader', { name: /^Cost/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );

    // Back restores the previous filters (the state is the URL).
    await rendered(page, () => page.goBack());
    expect(new URL(page.url()).searchParams.get('sort')).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('rows are reachable by keyboard and a row opens its trace, whose cost components add up', async () => {
    const { page, errors } = await newPage();
    await open(page, `/requests?${RANGE}&sort=cost`);
    await screenshot(page, 'requests');
    const links = page.getByTestId('requests').locator('a.row-link');
    await links.first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(
      await links.nth(1).getAttribute('href'),
    );
    await page.keyboard.press('ArrowUp');
    const href = (await links.first().getAttribute('href'))!;
    await rendered(page, () => page.keyboard.press('Enter'));
    const url = new URL(page.url());
    expect(`${url.pathname}${url.search}`).toBe(href);
    const traceId = url.pathname.split('/')[2]!;
    const spanId = url.searchParams.get('span')!;

    const [call] = await ui.query<Record<string, string>>(
      `SELECT toString(cost_total) AS total, toString(cost_input) AS input, toString(cost_cache_read) AS cache_read,
              toString(cost_output) AS output, price_source, price_version
       FROM otel.aicost_requests WHERE trace_id = '${traceId}' AND span_id = '${spanId}'`,
    );
    const [spans] = await ui.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM otel.otel_traces WHERE TraceId = '${traceId}'`,
    );
    expect(await page.getByTestId('waterfall').locator('li').count()).toBe(Number(spans!.n));
    // The model call and its non-GenAI parent (shown for context).
    expect(await page.getByTestId('waterfall').locator('li:not(.genai)').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('waterfall').locator('li.selected').getAttribute('data-span-id')).toBe(
      spanId,
    );

    const total = shownNanos(await text(page, 'cost-total'));
    expect(total).toBe(nanos(call!.total));
    const components = await page
      .getByTestId('cost-components')
      .locator('td[data-component]')
      .allTextContents();
    expect(components).toHaveLength(5);
    const sum = components.map(shownNanos).reduce((a, b) => a! + b!, 0n);
    expect(sum).toBe(total);
    expect(shownNanos(await page.locator('[data-component=cost_input_usd]').textContent())).toBe(
      nanos(call!.input),
    );
    expect(await text(page, 'components-sum')).toContain('✓');
    expect(await text(page, 'provenance')).toContain(call!.price_source!);

    // A non-GenAI span shows its attributes, without cost details.
    await rendered(page, () =>
      page.getByTestId('waterfall').locator('li:not(.genai) button').first().click(),
    );
    expect(await page.getByTestId('cost-components').count()).toBe(0);
    await rendered(page, () => page.getByTestId('waterfall').locator('li.genai button').first().click());
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trace');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('a request stored while the page is open appears without a reload', async () => {
    const { page, errors } = await newPage();
    await open(page, '/requests?range=1h');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = Number((await text(page, 'match-count')).replaceAll(',', ''));
    const traceId = 'feedface'.repeat(4);
    await ui.insert([
      callSpan({
        start: new Date(Date.now() - 5000),
        provider: 'openai',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o',
        usage: { input: 1000, cacheRead: 0, output: 100 },
        service: 'live',
        attributes: { 'aicost.feature': 'live-feature' },
        traceId,
        spanId: 'feedfacefeedface',
      }),
    ]);
    await page.waitForFunction(
      (count) =>
        Number(document.querySelector('[data-testid=match-count]')?.textContent?.replaceAll(',', '')) ===
        count,
      before + 1,
      { timeout: 10_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await page.getByTestId('requests').locator('td[data-col=feature]').allTextContents()).toContain(
      'live-feature',
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
