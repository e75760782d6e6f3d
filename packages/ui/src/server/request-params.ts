/**
 * The page state a URL carries (time range, filters, sort, paging), read strictly: a value
 * outside what the UI offers is a 400 with a message, never passed on to SQL text.
 */
import { DIMENSION_NAMES, type Selection, type TimeRange } from './bind.js';
import { REQUEST_SORTS, REQUEST_STATUSES } from './queries.js';

export class BadRequest extends Error {
  override name = 'BadRequest';
}

const MAX_VALUES = 100;
const MAX_VALUE_LENGTH = 1000;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** Bucket widths a time series may use: at least the rollup's hour, ~200 points at most. */
const BUCKETS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY];
const MAX_POINTS = 200;

function unixSeconds(params: URLSearchParams, name: string): number {
  const text = params.get(name);
  // The engine's DateTime spans 1970 to 2106 (UInt32 seconds).
  if (text === null || !/^\d{1,10}$/.test(text) || Number(text) > 0xffff_ffff) {
    throw new BadRequest(
      `${name}: expected Unix seconds (1970 to 2106), got ${JSON.stringify(text?.slice(0, 40))}`,
    );
  }
  return Number(text);
}

/** `from` and `to` in Unix seconds (inclusive, as `$__timeFilter`), and the bucket width for that span. */
export function timeRange(params: URLSearchParams): TimeRange {
  const from = unixSeconds(params, 'from');
  const to = unixSeconds(params, 'to');
  if (to < from) throw new BadRequest('to is before from');
  const span = Math.max(to - from, 1);
  const intervalSeconds = BUCKETS.find((width) => span / width <= MAX_POINTS) ?? BUCKETS.at(-1)!;
  return { from, to, intervalSeconds };
}

/** Every dimension filter: repeated parameters (`?feature=a&feature=b`). */
export function selection(params: URLSearchParams): Selection {
  const selected: Selection = {};
  for (const name of DIMENSION_NAMES) {
    const values = params.getAll(name);
    if (values.length > MAX_VALUES) throw new BadRequest(`${name}: at most ${MAX_VALUES} values`);
    if (values.some((value) => value.length > MAX_VALUE_LENGTH)) {
      throw new BadRequest(`${name}: a value is longer than ${MAX_VALUE_LENGTH} characters`);
    }
    if (values.length > 0) selected[name] = values;
  }
  return selected;
}

const DECIMAL = /^\d{1,18}(\.\d{1,9})?$/;

export interface RequestListParams {
  sort: string;
  descending: boolean;
  statuses: string[];
  costMin: string;
  costMax: string;
  limit: number;
  offset: number;
}

export function requestListParams(params: URLSearchParams): RequestListParams {
  const sort = params.get('sort') ?? 'time';
  if (!Object.hasOwn(REQUEST_SORTS, sort)) throw new BadRequest(`sort: one of ${Object.keys(REQUEST_SORTS)}`);
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new BadRequest('order: asc or desc');
  const statuses = params.getAll('status');
  for (const status of statuses) {
    if (!Object.hasOwn(REQUEST_STATUSES, status)) {
      throw new BadRequest(`status: one of ${Object.keys(REQUEST_STATUSES)}`);
    }
  }
  const cost = (name: string) => {
    const text = params.get(name) ?? '';
    if (text !== '' && !DECIMAL.test(text)) {
      throw new BadRequest(`${name}: a dollar amount such as 0.25 (at most 9 decimals)`);
    }
    return text;
  };
  const whole = (name: string, fallback: number, max: number) => {
    const text = params.get(name);
    if (text === null) return fallback;
    if (!/^\d{1,7}$/.test(text) || Number(text) > max) throw new BadRequest(`${name}: 0 to ${max}`);
    return Number(text);
  };
  return {
    sort,
    descending: order === 'desc',
    statuses: [...new Set(statuses)],
    costMin: cost('cost_min'),
    costMax: cost('cost_max'),
    limit: whole('limit', 50, 500),
    offset: whole('offset', 0, 1_000_000),
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

export function traceId(text: string): string {
  const id = text.toLowerCase();
  if (!TRACE_ID.test(id)) throw new BadRequest('a trace id is 32 hexadecimal digits');
  return id;
}
