import { getJson, type Row } from '../api.ts';
import { h, section } from '../dom.ts';
import { formatDuration, formatNanosUsd, formatSumUsd, formatUsd, nanosOf, sumUsd } from '../money.ts';
import { currentParams, hrefKeeping, navigate } from '../state.ts';
import { table } from '../table.ts';

interface TraceAnswer {
  trace_id: string;
  spans: Row[];
  requests: Row[];
}

interface Node {
  span: Row;
  depth: number;
}

/** Spans in tree order (parents before children, siblings by start). */
function treeOrder(spans: Row[]): Node[] {
  const ids = new Set(spans.map((span) => String(span.span_id)));
  const children = new Map<string, Row[]>();
  for (const span of spans) {
    const parent = String(span.parent_span_id ?? '');
    const key = ids.has(parent) ? parent : '';
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const ordered: Node[] = [];
  const visit = (key: string, depth: number) => {
    const list = (children.get(key) ?? []).sort((a, b) =>
      BigInt(String(a.start_ns)) < BigInt(String(b.start_ns)) ? -1 : 1,
    );
    for (const span of list) {
      ordered.push({ span, depth });
      visit(String(span.span_id), depth + 1);
    }
  };
  visit('', 0);
  return ordered;
}

const COMPONENTS = [
  ['cost_input_usd', 'Input'],
  ['cost_cache_read_usd', 'Cache read'],
  ['cost_cache_write_usd', 'Cache write'],
  ['cost_output_usd', 'Output'],
  ['cost_other_usd', 'Other'],
] as const;

const TOKENS = [
  ['input_tokens', 'Input (incl. cache)'],
  ['cache_read_tokens', 'Cache read'],
  ['cache_write_tokens', 'Cache write'],
  ['output_tokens', 'Output (incl. reasoning)'],
  ['reasoning_tokens', 'Reasoning'],
  ['input_audio_tokens', 'Input audio'],
  ['output_audio_tokens', 'Output audio'],
  ['input_image_tokens', 'Input image'],
  ['output_image_tokens', 'Output image'],
] as const;

function definitionList(entries: Array<[string, unknown]>, testId?: string): HTMLElement {
  return h(
    'dl',
    { class: 'kv', 'data-testid': testId },
    entries.map(([key, value]) => [
      h('dt', {}, key),
      h('dd', {}, value === '' || value === null || value === undefined ? '—' : String(value)),
    ]),
  );
}

function callDetails(request: Row): HTMLElement {
  const components = COMPONENTS.map(([key]) => nanosOf(request[key]));
  const priced = request.cost_usd !== null && request.cost_usd !== undefined;
  const sum = components.reduce<bigint>((total, part) => total + (part ?? 0n), 0n);
  const total = nanosOf(request.cost_usd);
  const attribution = request.custom_attribution as Record<string, string> | undefined;
  return h(
    'div',
    { class: 'grid2' },
    section(
      'Tokens by kind',
      '',
      table({
        caption: 'Tokens by kind',
        testId: 'tokens',
        columns: [
          { key: 'kind', label: 'Kind' },
          { key: 'tokens', label: 'Tokens', kind: 'count' },
        ],
        rows: TOKENS.filter(
          ([key]) => key === 'input_tokens' || key === 'output_tokens' || Number(request[key] ?? 0) > 0,
        ).map(([key, label]) => ({ kind: label, tokens: request[key] })),
      }),
      h('p', { class: 'muted small' }, `Usage source: ${String(request.usage_source || 'the span')}`),
    ),
    section(
      'Cost by component',
      priced
        ? 'The five components add up to the total.'
        : 'Unpriced: no cost is known, so none is shown (never $0).',
      h(
        'table',
        { 'data-testid': 'cost-components' },
        h('caption', { class: 'sr-only' }, 'Cost by component'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Component'),
            h('th', { scope: 'col', class: 'num' }, 'Cost'),
          ),
        ),
        h(
          'tbody',
          {},
          COMPONENTS.map(([key, label]) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, label),
              h('td', { class: 'num', 'data-component': key }, formatUsd(request[key])),
            ),
          ),
        ),
        h(
          'tfoot',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, 'Total'),
            h('td', { class: 'num', 'data-testid': 'cost-total' }, formatUsd(request.cost_usd)),
          ),
          priced
            ? h(
                'tr',
                {},
                h('th', { scope: 'row' }, 'Sum of components'),
                h(
                  'td',
                  { class: `num ${sum === total ? 'ok' : 'bad'}`, 'data-testid': 'components-sum' },
                  `${formatNanosUsd(sum)} ${sum === total ? '✓' : '≠ total'}`,
                ),
              )
            : null,
        ),
      ),
    ),
    section(
      'Price provenance',
      '',
      definitionList(
        [
          ['Cost status', request.cost_status],
          ['Reason', request.cost_status_reason],
          ['Price source', request.price_source],
          ['Price version', request.price_version],
          ['Catalogue provider', request.price_provider_id],
          ['Catalogue model', request.price_model_id],
          ['Currency', request.currency],
          [
            'Requested / responded model',
            `${String(request.request_model || '—')} / ${String(request.response_model || '—')}`,
          ],
        ],
        'provenance',
      ),
    ),
    section(
      'Attribution',
      '',
      definitionList(
        [
          ['Feature', request.feature],
          ['Customer', request.customer],
          ['Workflow', request.workflow],
          ['Team', request.team],
          ...Object.entries(attribution ?? {}).map(([key, value]): [string, unknown] => [key, value]),
        ],
        'attribution',
      ),
    ),
  );
}

export async function tracePage(traceId: string, params: URLSearchParams): Promise<HTMLElement> {
  const answer = await getJson<TraceAnswer>(`/api/traces/${encodeURIComponent(traceId)}`);
  const requests = new Map(answer.requests.map((request) => [String(request.span_id), request]));
  const nodes = treeOrder(answer.spans);
  const back = h(
    'p',
    { class: 'crumbs' },
    h('a', { href: hrefKeeping('/requests') }, 'Requests'),
    ' / Trace',
  );
  if (nodes.length === 0) {
    return h(
      'div',
      { class: 'page' },
      back,
      h('h1', {}, 'Trace'),
      h('p', {}, `No span of trace ${traceId} is stored.`),
    );
  }
  const starts = nodes.map((node) => BigInt(String(node.span.start_ns)));
  const ends = nodes.map((node, i) => starts[i]! + BigInt(String(node.span.duration_ns)));
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min/max take numbers only)
  const origin = starts.reduce((a, b) => (b < a ? b : a));
  // biome-ignore lint/complexity/useMathMinMax: bigints
  const end = ends.reduce((a, b) => (b > a ? b : a));
  const width = Number(end - origin) || 1;
  const selectedId =
    params.get('span') ??
    String((nodes.find((node) => requests.has(String(node.span.span_id))) ?? nodes[0]!).span.span_id);
  const selected = nodes.find((node) => String(node.span.span_id) === selectedId)?.span;
  const traceCost = sumUsd(answer.requests, 'cost_usd');

  const select = (spanId: string) => {
    const next = currentParams();
    next.set('span', spanId);
    navigate(location.pathname, next, true);
  };
  const rows = nodes.map((node, i) => {
    const id = String(node.span.span_id);
    const request = requests.get(id);
    const left = (Number(starts[i]! - origin) / width) * 100;
    const barWidth = Math.max((Number(BigInt(String(node.span.duration_ns))) / width) * 100, 0.3);
    return h(
      'li',
      { class: `span ${request ? 'genai' : ''} ${id === selectedId ? 'selected' : ''}`, 'data-span-id': id },
      h(
        'button',
        {
          type: 'button',
          class: 'span-name',
          style: `padding-left:${0.5 + node.depth * 1.2}rem`,
          'aria-pressed': id === selectedId ? 'true' : 'false',
          onclick: () => select(id),
        },
        String(node.span.name),
        h('span', { class: 'muted small' }, ` ${String(node.span.service)}`),
      ),
      h(
        'div',
        { class: 'track', 'aria-hidden': 'true' },
        h('div', {
          class: `bar ${node.span.status_code === 'Error' ? 'error' : ''}`,
          style: `left:${left}%;width:${barWidth}%`,
        }),
      ),
      h('span', { class: 'num small' }, formatDuration(node.span.duration_ns)),
      h('span', { class: 'num small' }, request ? formatUsd(request.cost_usd) : ''),
    );
  });
  const selectedRequest = selected ? requests.get(String(selected.span_id)) : undefined;
  const attributes = (selected?.attributes ?? {}) as Record<string, string>;
  return h(
    'div',
    { class: 'page' },
    back,
    h('h1', {}, 'Trace ', h('code', {}, answer.trace_id)),
    h(
      'p',
      { class: 'muted' },
      `${nodes.length} spans, ${answer.requests.length} model calls, ${formatDuration(end - origin)}; cost `,
      h('strong', { 'data-testid': 'trace-cost' }, formatSumUsd(traceCost)),
      ' (priced calls).',
    ),
    section(
      'Waterfall',
      'Every span of the trace; model calls are highlighted with their cost. Select a span for its details.',
      h(
        'div',
        { class: 'waterfall-head', 'aria-hidden': 'true' },
        h('span', {}, 'Span'),
        h(
          'span',
          { class: 'axis' },
          h('span', {}, '0'),
          h('span', {}, formatDuration(width / 2)),
          h('span', {}, formatDuration(width)),
        ),
        h('span', { class: 'num' }, 'Duration'),
        h('span', { class: 'num' }, 'Cost'),
      ),
      h('ol', { class: 'waterfall', 'data-testid': 'waterfall' }, rows),
    ),
    selected
      ? section(
          `Span: ${String(selected.name)}`,
          selectedRequest ? 'A model call.' : 'Not a model call: shown for context.',
          selectedRequest ? callDetails(selectedRequest) : null,
          h(
            'details',
            { open: !selectedRequest },
            h('summary', {}, 'Span attributes'),
            definitionList(Object.entries(attributes).sort(), 'span-attributes'),
          ),
        )
      : null,
  );
}
