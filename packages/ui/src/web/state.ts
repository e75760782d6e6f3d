/**
 * The page state lives in the URL (shareable): the path names the page, the query its time
 * range (`range=7d`, or `from`/`to` as ISO instants) and filters (`feature=a&feature=b`, ...).
 */
export const DIMENSIONS = ['service', 'environment', 'provider', 'model', 'feature', 'customer'] as const;
export const RANGES: Record<string, number> = {
  '1h': 3600,
  '24h': 86_400,
  '7d': 604_800,
  '30d': 2_592_000,
  '90d': 7_776_000,
};
export const DEFAULT_RANGE = '7d';

export type Route =
  | { page: 'overview' }
  | { page: 'requests' }
  | { page: 'economics' }
  | { page: 'reconciliation' }
  | { page: 'feature'; name: string }
  | { page: 'customer'; name: string }
  | { page: 'trace'; traceId: string };

export function route(path = location.pathname): Route {
  const [, first, second] = path.split('/');
  if (first === 'requests') return { page: 'requests' };
  if (first === 'economics') return { page: 'economics' };
  if (first === 'reconciliation') return { page: 'reconciliation' };
  if (first === 'features' && second !== undefined)
    return { page: 'feature', name: decodeURIComponent(second) };
  if (first === 'customers' && second !== undefined)
    return { page: 'customer', name: decodeURIComponent(second) };
  if (first === 'traces' && second !== undefined) return { page: 'trace', traceId: second.toLowerCase() };
  return { page: 'overview' };
}

export function currentParams(): URLSearchParams {
  return new URLSearchParams(location.search);
}

/** The time range in Unix seconds: relative ranges end now (and move on with live updates). */
export function resolveRange(params: URLSearchParams): { from: number; to: number; label: string } {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to) {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs >= fromMs) {
      return { from: Math.floor(fromMs / 1000), to: Math.floor(toMs / 1000), label: 'custom' };
    }
  }
  const name = params.get('range') ?? DEFAULT_RANGE;
  const seconds = RANGES[name] ?? RANGES[DEFAULT_RANGE]!;
  const now = Math.floor(Date.now() / 1000);
  return { from: now - seconds, to: now, label: name in RANGES ? name : DEFAULT_RANGE };
}

/** The query string an API call gets: the resolved range plus the filters. */
export function apiQuery(params: URLSearchParams, extra: Record<string, string | string[]> = {}): string {
  const { from, to } = resolveRange(params);
  const query = new URLSearchParams({ from: String(from), to: String(to) });
  for (const name of DIMENSIONS) for (const value of params.getAll(name)) query.append(name, value);
  for (const [name, value] of Object.entries(extra)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, item);
  }
  return query.toString();
}

/** Goes to `path` with `params` (a new history entry), then renders. */
export function navigate(path: string, params: URLSearchParams, replace = false): void {
  const query = params.toString();
  const url = query === '' ? path : `${path}?${query}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('aicost:navigate'));
}

/** A link within the UI that keeps the time range and filters. */
export function hrefKeeping(
  path: string,
  drop: readonly string[] = [],
  add: Record<string, string> = {},
): string {
  const params = currentParams();
  for (const name of ['sort', 'order', 'status', 'cost_min', 'cost_max', 'offset', 'span', ...drop])
    params.delete(name);
  for (const [name, value] of Object.entries(add)) params.set(name, value);
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}
