/**
 * The browser side of the UI tests: Debian's Chromium, headless, driven by playwright-core;
 * pages that record console errors, open a UI path and wait for its data and filter lists,
 * wait for the render an action causes (each render stamps body[data-ready]), and are checked
 * with axe-core. `UPDATE_SCREENSHOTS=1` (`pnpm run screenshots`) also writes pages to docs/ui/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * The page's globals as the callbacks given to page.evaluate() here use them. Declared rather
 * than with the DOM lib, which would retype fetch() and its bodies for every suite in test/.
 */
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelector(selector: string): unknown;
};
declare const window: unknown;

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const SCREENSHOT_DIR = new URL('../../docs/ui/', import.meta.url);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface UiBrowser {
  /** A page that records console errors and uncaught exceptions. */
  newPage(): Promise<{ page: Page; errors: string[] }>;
  /** Opens the UI's `path` and waits for the page and its filter lists (those come after its data). */
  open(page: Page, path: string): Promise<void>;
}

/**
 * Chromium for a test file, launched in `beforeAll` (after the file's own hooks registered before,
 * e.g. the UI server's start) and closed in `afterAll` (before those); `uiUrl()` is the UI's base URL.
 * One light-themed 1280×900 context, which every page shares.
 */
export function useBrowser(uiUrl: () => string): UiBrowser {
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  return {
    newPage() {
      if (!launched) throw new Error('the browser is launched in beforeAll');
      return launched.newPage();
    },
    open: (page, path) => openPage(page, `${uiUrl()}${path}`),
  };
}

async function launchBrowser() {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
  });
  return {
    async newPage(): Promise<{ page: Page; errors: string[] }> {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    },
    close: () => browser.close(),
  };
}

async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    () =>
      document.body.dataset.ready !== undefined &&
      (document.body.dataset.options !== undefined || document.querySelector('form.filters') === null),
  );
}

/** Waits until the UI has rendered after `action` (each render stamps body[data-ready]). */
export async function rendered(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => document.body.dataset.ready ?? '');
  await action();
  await page.waitForFunction((previous) => {
    const ready = document.body.dataset.ready;
    return ready !== undefined && ready !== previous;
  }, before);
}

/** The text of the element with `data-testid=testId` ('' when it has none). */
export async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}

/** axe-core's serious and critical violations on the page as it is, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: (context: typeof document) => Promise<any> } }
    ).axe.run(document);
    return result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

/** Writes the whole page to docs/ui/`name`.png when screenshots are asked for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS)
    await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOT_DIR).pathname, fullPage: true });
}
