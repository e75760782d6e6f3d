/**
 * The UI shell: header and navigation, the time range and filters (kept in the URL), the
 * current page, and live updates (a cheap change token polled every few seconds; the page
 * re-renders when a request was stored).
 */
import './style.css';
import { getJson, type Row } from './api.ts';
import { h } from './dom.ts';
import { detailPage } from './pages/detail.ts';
import { economicsPage } from './pages/economics.ts';
import { overviewPage } from './pages/overview.ts';
import { reconciliationPage } from './pages/reconciliation.ts';
import { requestsPage } from './pages/requests.ts';
import { tracePage } from './pages/trace.ts';
import {
  apiQuery,
  currentParams,
  DIMENSIONS,
  navigate,
  RANGES,
  type Route,
  resolveRange,
  route,
} from './state.ts';

const POLL_MS = 2000;
const LABELS: Record<string, string> = {
  service: 'Service',
  environment: 'Environment',
  provider: 'Provider',
  model: 'Model',
  feature: 'Feature',
  customer: 'Customer',
};

function setParam(name: string, values: string[]): void {
  const params = currentParams();
  params.delete(name);
  for (const value of values) params.append(name, value);
  params.delete('offset');
  navigate(location.pathname, params);
}

/**
 * The values each filter offers (the dashboards' variable queries): six queries, so kept for a
 * minute per range and selection instead of being asked again on every live refresh, and
 * asked only after the page's own data (the engine answers one query at a time): the page
 * shows first, with the selected values, and the lists fill in.
 */
const OPTIONS_TTL_MS = 60_000;
let optionsCache: { key: string; at: number; options: Record<string, Row[]> } | undefined;

function optionsKey(params: URLSearchParams): string {
  const selected = new URLSearchParams();
  for (const name of DIMENSIONS) for (const value of params.getAll(name)) selected.append(name, value);
  return `${resolveRange(params).label}|${params.get('from')}|${params.get('to')}|${selected}`;
}

function cachedOptions(params: URLSearchParams): Record<string, Row[]> | undefined {
  const fresh = optionsCache && Date.now() - optionsCache.at < OPTIONS_TTL_MS;
  return fresh && optionsCache!.key === optionsKey(params) ? optionsCache!.options : undefined;
}

async function fetchOptions(params: URLSearchParams): Promise<Record<string, Row[]>> {
  const { options } = await getJson<{ options: Record<string, Row[]> }>(`/api/options?${apiQuery(params)}`);
  optionsCache = { key: optionsKey(params), at: Date.now(), options };
  return options;
}

const isoMinute = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16);

/** The filters a page offers: its own dimension is in its path; a bill has no dimension at all. */
function filtersOf(current: Route): readonly string[] {
  if (current.page === 'reconciliation') return [];
  if (current.page === 'feature' || current.page === 'customer')
    return DIMENSIONS.filter((name) => name !== current.page);
  return DIMENSIONS;
}

function filterBar(
  current: Route,
  params: URLSearchParams,
  options: Record<string, Row[]> = {},
): HTMLElement {
  const range = resolveRange(params);
  const custom = range.label === 'custom';
  const rangeSelect = h(
    'select',
    {
      id: 'range',
      name: 'range',
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value;
        const next = currentParams();
        next.delete('from');
        next.delete('to');
        if (value === 'custom') {
          next.set('from', `${isoMinute(range.from)}Z`);
          next.set('to', `${isoMinute(range.to)}Z`);
          next.delete('range');
        } else next.set('range', value);
        navigate(location.pathname, next);
      },
    },
    Object.keys(RANGES).map((name) =>
      h('option', { value: name, selected: range.label === name }, `Last ${name}`),
    ),
    h('option', { value: 'custom', selected: custom }, 'Custom'),
  );
  const customInput = (name: 'from' | 'to', seconds: number) =>
    h(
      'label',
      {},
      name === 'from' ? 'From (UTC)' : 'To (UTC)',
      h('input', {
        type: 'datetime-local',
        name,
        value: isoMinute(seconds),
        onchange: (event: Event) => {
          const next = currentParams();
          next.set(name, `${(event.target as HTMLInputElement).value}Z`);
          navigate(location.pathname, next);
        },
      }),
    );
  const selects = filtersOf(current).map((name) => {
    const chosen = params.getAll(name);
    const values = [...new Set([...(options[name] ?? []).map((row) => String(row.value)), ...chosen])];
    return h(
      'label',
      {},
      LABELS[name]!,
      h(
        'select',
        {
          name,
          onchange: (event: Event) => {
            const value = (event.target as HTMLSelectElement).value;
            setParam(name, value === '' ? [] : [value]);
          },
        },
        h('option', { value: '' }, chosen.length > 1 ? `${chosen.length} selected` : 'All'),
        values.map((value) =>
          h('option', { value, selected: chosen.length === 1 && chosen[0] === value }, value),
        ),
      ),
    );
  });
  return h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Time range and filters',
      onsubmit: (event: Event) => event.preventDefault(),
    },
    h('label', { for: 'range' }, 'Range', rangeSelect),
    custom ? [customInput('from', range.from), customInput('to', range.to)] : null,
    selects,
  );
}

async function renderPage(current: Route, params: URLSearchParams): Promise<HTMLElement> {
  switch (current.page) {
    case 'overview':
      return overviewPage(params);
    case 'requests':
      return requestsPage(params);
    case 'economics':
      return economicsPage(params);
    case 'reconciliation':
      return reconciliationPage(params);
    case 'feature':
      return detailPage('feature', current.name, params);
    case 'customer':
      return detailPage('customer', current.name, params);
    case 'trace':
      return tracePage(current.traceId, params);
  }
}

function navLink(href: string, label: string, active: boolean): HTMLElement {
  const params = currentParams();
  for (const name of ['sort', 'order', 'status', 'cost_min', 'cost_max', 'offset', 'span'])
    params.delete(name);
  const query = params.toString();
  return h(
    'a',
    { href: query ? `${href}?${query}` : href, 'aria-current': active ? 'page' : undefined },
    label,
  );
}

function applyTheme(theme: string | null): void {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** A selector that finds the same control after a render. */
function focusKey(element: Element | null): string | undefined {
  if (!element || element === document.body) return undefined;
  const name = element.getAttribute('name');
  if (name) return `[name="${CSS.escape(name)}"]`;
  const href = element.getAttribute('href');
  if (href) return `a[href="${CSS.escape(href)}"]`;
  return undefined;
}

let generation = 0;

async function render(): Promise<void> {
  const mine = ++generation;
  const current = route();
  const params = currentParams();
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '/' }, 'aicost'),
    h(
      'nav',
      { 'aria-label': 'Pages' },
      navLink(
        '/',
        'Overview',
        current.page === 'overview' || current.page === 'feature' || current.page === 'customer',
      ),
      navLink('/requests', 'Requests', current.page === 'requests' || current.page === 'trace'),
      navLink('/economics', 'Economics', current.page === 'economics'),
      navLink('/reconciliation', 'Reconciliation', current.page === 'reconciliation'),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'theme',
        'aria-label': 'Switch light or dark theme',
        onclick: () => {
          const dark = document.documentElement.dataset.theme
            ? document.documentElement.dataset.theme === 'dark'
            : matchMedia('(prefers-color-scheme: dark)').matches;
          const next = dark ? 'light' : 'dark';
          localStorage.setItem('aicost-theme', next);
          applyTheme(next);
          void render();
        },
      },
      '◐ Theme',
    ),
    h('span', { class: 'live', 'aria-live': 'polite', id: 'live' }, 'live'),
  );
  try {
    const page = await renderPage(current, params);
    if (mine !== generation) return;
    const options = cachedOptions(params);
    const bar = current.page === 'trace' ? null : filterBar(current, params, options);
    const main = h('main', { id: 'main' }, bar, page);
    const focused = focusKey(document.activeElement);
    document.getElementById('app')!.replaceChildren(header, main);
    // A live refresh or a filter change keeps the keyboard where it was.
    if (focused) main.querySelector<HTMLElement>(focused)?.focus();
    document.title = `${page.querySelector('h1')?.textContent ?? 'aicost'} · aicost`;
    document.body.dataset.ready = String(mine);
    if (bar && options === undefined && filtersOf(current).length > 0) {
      const fetched = await fetchOptions(params).catch(() => undefined);
      if (fetched === undefined || mine !== generation) return;
      const focusedInBar = focusKey(document.activeElement);
      const filled = filterBar(current, params, fetched);
      bar.replaceWith(filled);
      if (focusedInBar) filled.querySelector<HTMLElement>(focusedInBar)?.focus();
      document.body.dataset.options = String(mine);
    } else document.body.dataset.options = String(mine);
  } catch (err) {
    if (mine !== generation) return;
    document
      .getElementById('app')!
      .replaceChildren(
        header,
        h(
          'main',
          { id: 'main' },
          h('p', { class: 'error', role: 'alert' }, `Could not load: ${(err as Error).message}`),
        ),
      );
    document.body.dataset.ready = String(mine);
  }
}

/** Links inside the UI switch pages without a reload. */
document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a');
  if (!link || link.origin !== location.origin || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  history.pushState(null, '', link.pathname + link.search);
  void render().then(() => window.scrollTo(0, 0));
});
window.addEventListener('popstate', () => void render());
window.addEventListener('aicost:navigate', () => void render());

let lastChange: string | undefined;
async function poll(): Promise<void> {
  try {
    const change = await getJson<Row>('/api/changes');
    const token = JSON.stringify(change);
    if (lastChange !== undefined && token !== lastChange && route().page !== 'trace') await render();
    lastChange = token;
  } catch {
    // The collector stopped or restarted: keep the page, try again later.
  }
  setTimeout(() => void poll(), POLL_MS);
}

applyTheme(localStorage.getItem('aicost-theme'));
// The first poll waits for the first page: the engine answers one query at a time.
void render().finally(() => void poll());
