import { getJson, type Row } from '../api.ts';
import { h, section } from '../dom.ts';
import { formatCount, formatDuration, formatUsd } from '../money.ts';
import { apiQuery, currentParams, navigate } from '../state.ts';
import { table } from '../table.ts';
import { dimensionLink, traceHref } from './common.ts';

interface RequestsAnswer {
  rows: Row[];
  totals: Row;
  limit: number;
  offset: number;
}

const STATUSES: Record<string, string> = {
  '': 'Any status',
  ok: 'Succeeded',
  error: 'Failed',
  priced: 'Priced',
  unpriced: 'Unpriced',
};

/** Changes some request-list parameters in the URL (a new history entry) and renders again. */
function update(changes: Record<string, string | null>): void {
  const params = currentParams();
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === '') params.delete(name);
    else params.set(name, value);
  }
  if (!('offset' in changes)) params.delete('offset');
  navigate(location.pathname, params);
}

function listFilters(params: URLSearchParams): HTMLElement {
  const costInput = (name: string, label: string) =>
    h(
      'label',
      {},
      label,
      h('input', {
        name,
        type: 'text',
        inputmode: 'decimal',
        pattern: '\\d+(\\.\\d{1,9})?',
        placeholder: '0.00',
        size: 10,
        value: params.get(name) ?? '',
        onchange: (event: Event) => update({ [name]: (event.target as HTMLInputElement).value.trim() }),
      }),
    );
  return h(
    'div',
    { class: 'list-filters' },
    h(
      'label',
      {},
      'Status',
      h(
        'select',
        {
          name: 'status',
          onchange: (event: Event) => update({ status: (event.target as HTMLSelectElement).value }),
        },
        Object.entries(STATUSES).map(([value, label]) =>
          h('option', { value, selected: (params.get('status') ?? '') === value }, label),
        ),
      ),
    ),
    costInput('cost_min', 'Cost from $'),
    costInput('cost_max', 'to $'),
  );
}

export async function requestsPage(params: URLSearchParams): Promise<HTMLElement> {
  const sort = params.get('sort') ?? 'time';
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const extra: Record<string, string | string[]> = { sort, order, status: params.getAll('status') };
  for (const name of ['cost_min', 'cost_max', 'offset']) {
    const value = params.get(name);
    if (value) extra[name] = value;
  }
  const answer = await getJson<RequestsAnswer>(`/api/requests?${apiQuery(params, extra)}`);
  const onSort = (key: string) =>
    update({
      sort: key,
      order:
        key === sort && order === 'desc'
          ? 'asc'
          : key === sort
            ? 'desc'
            : key === 'time' || key === 'cost' || key === 'duration'
              ? 'desc'
              : 'asc',
    });
  const total = Number(answer.totals.request_count ?? 0);
  const pageEnd = Math.min(answer.offset + answer.rows.length, total);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Requests'),
    listFilters(params),
    section(
      'Model calls',
      'Every model call in the range that matches the filters. Open a row for its trace.',
      h(
        'p',
        { class: 'totals' },
        h('span', { 'data-testid': 'match-count' }, formatCount(answer.totals.request_count)),
        ' requests, ',
        h('span', { 'data-testid': 'match-spend' }, formatUsd(answer.totals.spend_usd)),
        ' spent (priced requests).',
      ),
      table({
        caption: 'Model calls',
        testId: 'requests',
        columns: [
          { key: 'timestamp', label: 'Time', kind: 'time', sort: 'time' },
          { key: 'cost_usd', label: 'Cost', kind: 'usd', sort: 'cost' },
          { key: 'provider', label: 'Provider' },
          { key: 'model', label: 'Model', sort: 'model' },
          {
            key: 'feature',
            label: 'Feature',
            sort: 'feature',
            cell: (row) => dimensionLink('feature', row.feature),
          },
          {
            key: 'customer',
            label: 'Customer',
            sort: 'customer',
            cell: (row) => dimensionLink('customer', row.customer),
          },
          { key: 'input_tokens', label: 'Input', kind: 'count', sort: 'input_tokens' },
          { key: 'output_tokens', label: 'Output', kind: 'count', sort: 'output_tokens' },
          {
            key: 'duration_ns',
            label: 'Duration',
            kind: 'count',
            sort: 'duration',
            cell: (row) => formatDuration(row.duration_ns),
          },
          {
            key: 'cost_status',
            label: 'Status',
            cell: (row) =>
              `${row.status_code === 'Error' ? 'error · ' : ''}${String(row.cost_status)}${row.cost_status_reason ? ` (${String(row.cost_status_reason)})` : ''}`,
          },
        ],
        rows: answer.rows,
        sorted: { key: sort, descending: order === 'desc', onSort },
        rowHref: traceHref,
        empty: 'No request matches.',
      }),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        h(
          'button',
          {
            type: 'button',
            disabled: answer.offset === 0,
            onclick: () => update({ offset: String(Math.max(0, answer.offset - answer.limit)) }),
          },
          '← Newer',
        ),
        h('span', {}, total === 0 ? '' : `${answer.offset + 1}–${pageEnd} of ${formatCount(total)}`),
        h(
          'button',
          {
            type: 'button',
            disabled: pageEnd >= total,
            onclick: () => update({ offset: String(answer.offset + answer.limit) }),
          },
          'Older →',
        ),
      ),
    ),
  );
}
