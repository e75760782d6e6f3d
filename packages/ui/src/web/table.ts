/**
 * Tables: real <table> markup, sortable headers are buttons with aria-sort, and a row that
 * opens something has a link in its first cell; Arrow Up/Down move between those links.
 */
import type { Row } from './api.ts';
import { type Child, h } from './dom.ts';
import { formatCount, formatPoints, formatShare, formatUsd, formatUsdChange } from './money.ts';

export type Kind = 'text' | 'usd' | 'usd-change' | 'count' | 'share' | 'points' | 'time' | 'day';

export interface Column {
  key: string;
  label: string;
  kind?: Kind;
  /** Custom cell content. */
  cell?: (row: Row) => Child;
  /** The sort key sent to the server (requests page). */
  sort?: string;
}

export interface TableOptions {
  caption: string;
  columns: Column[];
  rows: Row[];
  /** Current sort (server-side) and how to change it. */
  sorted?: { key: string; descending: boolean; onSort: (key: string) => void };
  /** The link a row opens (put on its first cell). */
  rowHref?: (row: Row) => string;
  empty?: string;
  testId?: string;
}

export function formatCell(value: unknown, kind: Kind = 'text'): string {
  switch (kind) {
    case 'usd':
      return formatUsd(value);
    case 'usd-change':
      return formatUsdChange(value);
    case 'count':
      return formatCount(value);
    case 'share':
      return formatShare(value);
    case 'points':
      return formatPoints(value);
    case 'day':
      return typeof value === 'string' && value !== '' ? value.slice(0, 10) : '—';
    case 'time':
      return typeof value === 'string' ? `${value.slice(0, 16).replace('T', ' ')} UTC` : '';
    default:
      return value === null || value === undefined || value === '' ? '—' : String(value);
  }
}

const isNumeric = (kind: Kind | undefined) =>
  kind !== undefined && kind !== 'text' && kind !== 'time' && kind !== 'day';

export function table(options: TableOptions): HTMLElement {
  const { columns, rows } = options;
  const header = h(
    'tr',
    {},
    columns.map((column) => {
      const numeric = isNumeric(column.kind);
      const sorted = options.sorted;
      if (sorted && column.sort) {
        const active = sorted.key === column.sort;
        return h(
          'th',
          {
            scope: 'col',
            class: numeric ? 'num' : undefined,
            'aria-sort': active ? (sorted.descending ? 'descending' : 'ascending') : 'none',
          },
          h(
            'button',
            { type: 'button', class: 'sort', onclick: () => sorted.onSort(column.sort!) },
            column.label,
            active ? (sorted.descending ? ' ▼' : ' ▲') : '',
          ),
        );
      }
      return h('th', { scope: 'col', class: numeric ? 'num' : undefined }, column.label);
    }),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      {},
      columns.map((column, index) => {
        const numeric = isNumeric(column.kind);
        let content: Child = column.cell ? column.cell(row) : formatCell(row[column.key], column.kind);
        if (index === 0 && options.rowHref) {
          content = h('a', { href: options.rowHref(row), class: 'row-link' }, content);
        }
        return h('td', { class: numeric ? 'num' : undefined, 'data-col': column.key }, content);
      }),
    ),
  );
  const element = h(
    'div',
    // A wide table scrolls sideways: the region takes focus so the keyboard can scroll it too.
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `Table: ${options.caption}` },
    h(
      'table',
      { 'data-testid': options.testId },
      h('caption', { class: 'sr-only' }, options.caption),
      h('thead', {}, header),
      h(
        'tbody',
        {},
        body.length > 0
          ? body
          : h(
              'tr',
              {},
              h('td', { colspan: columns.length, class: 'muted' }, options.empty ?? 'No data in this range.'),
            ),
      ),
    ),
  );
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...element.querySelectorAll<HTMLAnchorElement>('a.row-link')];
    const index = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (index === -1) return;
    const next = links[index + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      next.focus();
      event.preventDefault();
    }
  });
  return element;
}
