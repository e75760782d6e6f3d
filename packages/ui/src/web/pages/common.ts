import type { Row } from '../api.ts';
import { h } from '../dom.ts';
import { formatCount, formatShare, formatUsd } from '../money.ts';
import { hrefKeeping } from '../state.ts';
import type { Column } from '../table.ts';

/** A headline figure. */
export function stat(label: string, value: string, testId: string, note = ''): HTMLElement {
  return h(
    'div',
    { class: 'stat' },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', 'data-testid': testId }, value),
    note ? h('div', { class: 'muted small' }, note) : null,
  );
}

export const first = (rows: Row[] | undefined): Row => rows?.[0] ?? {};

export function statRow(panels: Record<string, Row[]>): HTMLElement {
  return h(
    'div',
    { class: 'stats' },
    stat('Spend', formatUsd(first(panels.total_spend).spend_usd), 'total-spend', 'priced requests'),
    stat('Requests', formatCount(first(panels.requests).request_count), 'request-count'),
    stat(
      'Cost per request',
      formatUsd(first(panels.cost_per_request).cost_per_request_usd),
      'cost-per-request',
    ),
    panels.unpriced_share
      ? stat(
          'Unpriced',
          formatShare(first(panels.unpriced_share).unpriced_share),
          'unpriced-share',
          'of requests, no cost known',
        )
      : null,
  );
}

/** The link to a feature's or customer's page (`(none)` included: it is a selectable value). */
export function dimensionLink(kind: 'feature' | 'customer', value: unknown): HTMLElement {
  const text = String(value);
  return h('a', { href: hrefKeeping(`/${kind}s/${encodeURIComponent(text)}`, [kind]) }, text);
}

export const traceHref = (row: Row) =>
  hrefKeeping(`/traces/${String(row.trace_id)}`, [], { span: String(row.span_id) });

export const SPEND_COLUMNS: Column[] = [
  { key: 'spend_usd', label: 'Spend', kind: 'usd' },
  { key: 'request_count', label: 'Requests', kind: 'count' },
  { key: 'cost_per_request_usd', label: 'Per request', kind: 'usd' },
];
