/**
 * The request table's columns, written once. `sql/020_requests.sql` is a template whose column
 * lists come from here: the table definition (`{{request_columns}}`), the typed row read from
 * an exporter span (`{{span_columns}}`, aicost_spans_mv) and the two views that write the
 * table (`{{recorded_columns}}`, `{{priced_columns}}`). The Null tables between them are
 * created `AS` the request table, so they follow.
 *
 * Adding a column is one entry here (name, type, the expression that reads it from the span)
 * plus a migration (`columnMigration`, see the README "Adding a table/view/column").
 */

export interface RequestColumn {
  name: string;
  /** ClickHouse type, with its CODEC when it has one. */
  type: string;
  comment?: string;
  /**
   * The value from one exporter row of `otel_traces` (columns Timestamp, SpanAttributes,
   * ResourceAttributes, ...; earlier columns of this list by their names).
   */
  span: string;
  /** In aicost_requests_recorded_mv (row `span` of aicost_spans, `recorded`: it came with a cost). Default: the column as read. */
  recorded?: string;
  /**
   * In aicost_requests_priced_mv (`priced_here`: priced by the SQL rule; `sql_cost`, `match_*`,
   * `period_*` from the price joins). Default: the column as read.
   */
  priced?: string;
}

/** The attributes read as token counts, in manifest order: what `usage_readable` checks. */
const countAttributes: string[] = [];
/** A token count (aicost_count, 015_pricing.sql): 0 when absent or unreadable, see `usage_readable`. */
const tokens = (attribute: string) => {
  countAttributes.push(attribute);
  return `aicost_count(SpanAttributes, '${attribute}')`;
};
const money = (attribute: string) => `toDecimal128OrNull(SpanAttributes['${attribute}'], 9)`;
const attribute = (name: string) => `SpanAttributes['${name}']`;
/**
 * A sent cost component on the Null tables' cost columns, only for spans without usage: the
 * routing views send a span with a cost to the recorded view (version 1's rule, kept), so a
 * span with usage must reach them without one to be routed to the pricing view, which judges
 * its sent cost (`sent_cost_*` below) against the catalogue's (016_cost_trust.sql). Routing is
 * thus decided here, in one view, so an upgrade switches it in one statement.
 */
const costWithoutUsage = (name: string) => `if(has_usage, NULL, ${money(name)})`;
/** A cost component: the span's own when it came with a cost, else NULL (never 0). */
const recordedCost = (name: string) => `if(recorded, span.${name}, NULL)`;
/**
 * A cost component in the pricing view: the sender's own when the cost-trust rule keeps it
 * (`kept`, 016_cost_trust.sql), else position `n` of aicost_request_cost's result when priced
 * here, else NULL. `sent_cost` is (total, input, cache_read, cache_write, output, other);
 * aicost_request_cost's result is (valid, input, cache_read, cache_write, output, other, total).
 */
const pricedCost = (n: number) =>
  `multiIf(kept, sent_cost.${n === 7 ? 1 : n}, priced_here, sql_cost.${n}, NULL)`;
/** Provenance that only a kept row keeps. */
const recordedOnly = (name: string) => `if(recorded, span.${name}, '')`;
/** Provenance in the pricing view: the sender's (position `n` of `sent_provenance`) when kept, else `here`. */
const pricedProvenance = (n: number, here: string) =>
  `multiIf(kept, sent_provenance.${n}, priced_here, ${here}, '')`;

export const REQUEST_COLUMNS: readonly RequestColumn[] = [
  {
    name: 'timestamp',
    type: "DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))",
    comment: 'span start',
    span: 'Timestamp',
  },
  { name: 'trace_id', type: 'String CODEC(ZSTD(1))', span: 'TraceId' },
  { name: 'span_id', type: 'String CODEC(ZSTD(1))', span: 'SpanId' },
  { name: 'parent_span_id', type: 'String CODEC(ZSTD(1))', span: 'ParentSpanId' },
  { name: 'span_name', type: 'LowCardinality(String)', span: 'SpanName' },
  {
    name: 'scope_name',
    type: 'LowCardinality(String)',
    comment: 'instrumentation that produced the span',
    span: 'ScopeName',
  },
  {
    name: 'service',
    type: 'LowCardinality(String)',
    comment: 'resource service.name',
    span: "ResourceAttributes['service.name']",
  },
  {
    name: 'environment',
    type: 'LowCardinality(String)',
    comment: 'resource deployment.environment.name, else deployment.environment',
    span: `if(ResourceAttributes['deployment.environment.name'] != '',
       ResourceAttributes['deployment.environment.name'],
       ResourceAttributes['deployment.environment'])`,
  },
  {
    name: 'service_version',
    type: 'LowCardinality(String)',
    comment: 'resource service.version: the release that made the call',
    span: "ResourceAttributes['service.version']",
  },
  {
    name: 'deployment',
    type: 'LowCardinality(String)',
    comment: 'resource deployment.id, else vcs.ref.head.revision: the deployment or commit of the release',
    span: `if(ResourceAttributes['deployment.id'] != '',
       ResourceAttributes['deployment.id'],
       ResourceAttributes['vcs.ref.head.revision'])`,
  },
  {
    name: 'provider',
    type: 'LowCardinality(String)',
    comment: 'gen_ai.provider.name, else legacy gen_ai.system',
    span: `if(SpanAttributes['gen_ai.provider.name'] != '',
       SpanAttributes['gen_ai.provider.name'],
       SpanAttributes['gen_ai.system'])`,
  },
  {
    name: 'operation',
    type: 'LowCardinality(String)',
    comment: 'gen_ai.operation.name',
    span: attribute('gen_ai.operation.name'),
  },
  { name: 'request_model', type: 'LowCardinality(String)', span: attribute('gen_ai.request.model') },
  { name: 'response_model', type: 'LowCardinality(String)', span: attribute('gen_ai.response.model') },
  {
    name: 'model',
    type: 'LowCardinality(String)',
    comment: 'response model if known, else request model',
    span: "if(response_model != '', response_model, request_model)",
  },
  { name: 'response_id', type: 'String CODEC(ZSTD(1))', span: attribute('gen_ai.response.id') },
  { name: 'server_address', type: 'LowCardinality(String)', span: attribute('server.address') },
  {
    name: 'has_usage',
    type: 'Bool',
    comment: 'the span reported input or output tokens',
    span: `mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
        OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens')`,
  },
  {
    name: 'input_tokens',
    type: 'UInt64',
    comment: 'all input tokens, cache and audio/image included (semconv)',
    span: tokens('gen_ai.usage.input_tokens'),
  },
  {
    name: 'output_tokens',
    type: 'UInt64',
    comment: 'all output tokens, reasoning included (semconv)',
    span: tokens('gen_ai.usage.output_tokens'),
  },
  { name: 'cache_read_tokens', type: 'UInt64', span: tokens('gen_ai.usage.cache_read.input_tokens') },
  {
    name: 'cache_write_tokens',
    type: 'UInt64',
    comment: 'all cache-creation tokens',
    span: tokens('gen_ai.usage.cache_creation.input_tokens'),
  },
  {
    name: 'cache_write_5m_tokens',
    type: 'UInt64',
    span: tokens('aicost.usage.cache_creation_5m.input_tokens'),
  },
  {
    name: 'cache_write_1h_tokens',
    type: 'UInt64',
    span: tokens('aicost.usage.cache_creation_1h.input_tokens'),
  },
  { name: 'reasoning_tokens', type: 'UInt64', span: tokens('gen_ai.usage.reasoning.output_tokens') },
  { name: 'input_audio_tokens', type: 'UInt64', span: tokens('aicost.usage.audio.input_tokens') },
  { name: 'output_audio_tokens', type: 'UInt64', span: tokens('aicost.usage.audio.output_tokens') },
  { name: 'input_image_tokens', type: 'UInt64', span: tokens('aicost.usage.image.input_tokens') },
  { name: 'output_image_tokens', type: 'UInt64', span: tokens('aicost.usage.image.output_tokens') },
  {
    name: 'request_units',
    type: 'UInt64',
    comment: 'billable request units, 1 for an ordinary call',
    span: `if(mapContains(SpanAttributes, 'aicost.usage.requests'),
       ${tokens('aicost.usage.requests')}, 1)`,
  },
  {
    name: 'usage_source',
    type: 'LowCardinality(String)',
    comment: 'aicost.usage.source',
    span: attribute('aicost.usage.source'),
  },
  {
    name: 'currency',
    type: 'LowCardinality(String)',
    span: attribute('aicost.cost.currency'),
    // Every amount stored is USD: a cost in another currency is refused (016_cost_trust.sql).
    recorded: "'USD'",
    priced: "'USD'",
  },
  {
    name: 'cost_total',
    type: 'Nullable(Decimal(38, 9))',
    comment: 'USD; NULL when unpriced',
    span: costWithoutUsage('aicost.cost.total'),
    recorded: recordedCost('cost_total'),
    priced: pricedCost(7),
  },
  {
    name: 'cost_input',
    type: 'Nullable(Decimal(38, 9))',
    comment: 'uncached input tokens',
    span: costWithoutUsage('aicost.cost.input'),
    recorded: recordedCost('cost_input'),
    priced: pricedCost(2),
  },
  {
    name: 'cost_cache_read',
    type: 'Nullable(Decimal(38, 9))',
    span: costWithoutUsage('aicost.cost.cache_read'),
    recorded: recordedCost('cost_cache_read'),
    priced: pricedCost(3),
  },
  {
    name: 'cost_cache_write',
    type: 'Nullable(Decimal(38, 9))',
    span: costWithoutUsage('aicost.cost.cache_write'),
    recorded: recordedCost('cost_cache_write'),
    priced: pricedCost(4),
  },
  {
    name: 'cost_output',
    type: 'Nullable(Decimal(38, 9))',
    comment: 'output tokens, reasoning included',
    span: costWithoutUsage('aicost.cost.output'),
    recorded: recordedCost('cost_output'),
    priced: pricedCost(5),
  },
  {
    name: 'cost_other',
    type: 'Nullable(Decimal(38, 9))',
    comment: 'audio, image, per-request fees',
    span: costWithoutUsage('aicost.cost.other'),
    recorded: recordedCost('cost_other'),
    priced: pricedCost(6),
  },
  {
    name: 'cost_status',
    type: 'LowCardinality(String)',
    comment: 'priced, unpriced, estimated, provider_reported, override',
    span: attribute('aicost.cost.status'),
    recorded: "if(recorded, if(span.cost_status != '', span.cost_status, 'priced'), 'unpriced')",
    // A catalogue row is `priced`; a discounted one, a custom price or a self-hosted rate is
    // `override` (as @aicost/core's PriceBook says); provisioned capacity is `committed`.
    priced: `multiIf(kept, sent_provenance.1,
            priced_here, if(period_price_source = 'genai-prices', 'priced', 'override'),
            committed_here, 'committed', 'unpriced')`,
  },
  {
    name: 'cost_status_reason',
    type: 'LowCardinality(String)',
    span: attribute('aicost.cost.status_reason'),
    recorded: `multiIf(recorded OR (sent_cost_verdict = 'absent' AND span.cost_status_reason != ''), span.cost_status_reason,
            sent_cost_verdict = 'invalid', 'invalid_cost', 'missing_usage')`,
    priced: `multiIf(kept, sent_provenance.2, sent_cost_verdict = 'invalid', 'invalid_cost', priced_here OR committed_here, '',
            sent_provenance.2 != '', sent_provenance.2, usage_refused, 'invalid_usage',
            route.1 = 'self_hosted', 'self_hosted_no_rate',
            tier.1 = '' AND (tier_applies OR (price_found AND NOT own_rate)), 'unknown_service_tier',
            NOT price_found AND route_catalogue_id = '' AND notEmpty(route_provider_catalogue), 'unknown_provider',
            'unknown_model')`,
  },
  {
    name: 'price_source',
    type: 'LowCardinality(String)',
    comment: 'as on the span, or clickhouse:<source> when priced at ingest',
    span: attribute('aicost.price.source'),
    recorded: recordedOnly('price_source'),
    priced: pricedProvenance(3, "concat('clickhouse:', period_price_source)"),
  },
  {
    name: 'price_version',
    type: 'LowCardinality(String)',
    span: attribute('aicost.price.version'),
    recorded: recordedOnly('price_version'),
    // A tier's multiplier is part of the price: its rules' version is written beside the catalogue's.
    priced: pricedProvenance(
      4,
      "if(catalogue_row AND tier.1 = 'multiplier', concat(period_price_version, '+', route_rules_version), period_price_version)",
    ),
  },
  {
    name: 'price_provider_id',
    type: 'LowCardinality(String)',
    span: attribute('aicost.price.provider_id'),
    recorded: recordedOnly('price_provider_id'),
    priced: pricedProvenance(5, 'match_provider_id'),
  },
  {
    name: 'price_model_id',
    type: 'LowCardinality(String)',
    span: attribute('aicost.price.model_id'),
    recorded: recordedOnly('price_model_id'),
    priced: pricedProvenance(6, 'match_model_id'),
  },
  {
    name: 'price_match',
    type: 'LowCardinality(String)',
    comment:
      'how the call was matched to its price (aicost.price.match): host, user_host_mapping, provider_name, model_id, model_id_prefixed, open_weight, unknown_model or self_hosted_rate',
    span: attribute('aicost.price.match'),
    recorded: recordedOnly('price_match'),
    // The route taken at ingest (015's aicost_route), as @aicost/core's PriceBook records it:
    // none for refused usage, `self_hosted_rate` when a self-hosted rate priced the call.
    priced: `multiIf(kept, price_match, usage_refused, '',
            priced_here AND period_price_source = 'self_hosted', 'self_hosted_rate', route.3)`,
  },
  {
    name: 'service_tier',
    type: 'LowCardinality(String)',
    comment: 'the tier that served the call, as the response spells it',
    span: attribute('aicost.service_tier'),
  },
  {
    name: 'cost_reported',
    type: 'Nullable(Decimal(38, 18))',
    comment: 'what the provider or gateway stated it billed, USD, as stated',
    span: "toDecimal128OrNull(SpanAttributes['aicost.cost.reported'], 18)",
  },
  {
    name: 'cost_reported_source',
    type: 'LowCardinality(String)',
    comment: 'where the reported cost was read (body.usage.cost, header.x-litellm-response-cost, ...)',
    span: attribute('aicost.cost.reported_source'),
  },
  {
    name: 'cost_computed',
    type: 'Nullable(Decimal(38, 9))',
    comment: "with a reported cost: aicost's list-price total for the same call",
    span: money('aicost.cost.computed'),
  },
  { name: 'feature', type: 'LowCardinality(String)', span: attribute('aicost.feature') },
  { name: 'customer', type: 'String', span: attribute('aicost.customer') },
  { name: 'workflow', type: 'LowCardinality(String)', span: attribute('aicost.workflow') },
  { name: 'team', type: 'LowCardinality(String)', span: attribute('aicost.team') },
  {
    name: 'segment',
    type: 'LowCardinality(String)',
    comment: 'aicost.segment: the customer segment (enterprise, smb, ...)',
    span: attribute('aicost.segment'),
  },
  {
    name: 'custom_attribution',
    type: 'Map(LowCardinality(String), String)',
    comment: 'aicost.attr.* attributes, prefix removed',
    span: `mapApply((k, v) -> (substring(k, 13), v),
             mapFilter((k, v) -> startsWith(k, 'aicost.attr.'), SpanAttributes))`,
  },
  {
    name: 'stream',
    type: 'Bool',
    // Ours first; SDKs that trace themselves write the GenAI name.
    span: `if(mapContains(SpanAttributes, 'aicost.request.stream'),
       SpanAttributes['aicost.request.stream'],
       SpanAttributes['gen_ai.request.stream']) = 'true'`,
  },
  {
    name: 'duration_ns',
    type: 'UInt64',
    comment: 'span duration (exporter Duration), nanoseconds',
    span: 'Duration',
  },
  {
    name: 'time_to_first_chunk_s',
    type: 'Nullable(Float64)',
    comment: 'seconds to the first streamed chunk',
    span: "toFloat64OrNull(SpanAttributes['aicost.response.time_to_first_chunk'])",
  },
  { name: 'error_type', type: 'LowCardinality(String)', span: attribute('error.type') },
  {
    name: 'status_code',
    type: 'LowCardinality(String)',
    comment: 'Unset, Ok or Error',
    span: 'StatusCode',
  },
];

/**
 * The sender's cost as sent, on the two Null tables only (not on the request table): what the
 * pricing view judges (016_cost_trust.sql). Added to the Null tables after the request columns
 * (020_requests.sql, migration 0002).
 */
export const SENT_COST_COLUMNS: readonly { name: string; span: string }[] = [
  'total',
  'input',
  'cache_read',
  'cache_write',
  'output',
  'other',
].map((part) => ({ name: `sent_cost_${part}`, span: money(`aicost.cost.${part}`) }));

/**
 * Whether every token count the span carries is a count @aicost/core would read (digits; not
 * negative, fractional, NaN or text), on the two Null tables only: the pricing view calls usage
 * that is not `invalid_usage` (020_requests.sql, migration 0004), as @aicost/core does, where
 * the count columns alone would show 0.
 */
export const USAGE_READABLE_COLUMN: { name: string; span: string } = {
  name: 'usage_readable',
  span: countAttributes
    .map((key) => `aicost_count_readable(SpanAttributes, '${key}')`)
    .join('\n        AND '),
};

/**
 * The span's `server.port`, as text, on the two Null tables only: with the server address it
 * decides who prices the call (a user's `host:port` mapping, 012_routing.sql), migration 0006.
 */
export const SERVER_PORT_COLUMN: { name: string; span: string } = {
  name: 'server_port',
  span: "SpanAttributes['server.port']",
};

/** A string literal for a COMMENT clause. */
function literal(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** `name type [COMMENT '...'] [CODEC(...)]`: the comment goes before the codec, as ClickHouse requires. */
export function columnDefinition(column: RequestColumn): string {
  const codec = /\s(CODEC\(.*\))$/.exec(column.type);
  const type = codec ? column.type.slice(0, codec.index) : column.type;
  return [column.name, type, column.comment && `COMMENT ${literal(column.comment)}`, codec?.[1]]
    .filter(Boolean)
    .join(' ');
}

function selected(expression: string, name: string): string {
  return expression === name ? name : `${expression} AS ${name}`;
}

/** The template parameters that 020_requests.sql takes from the manifest. */
export function requestColumnParameters(columns: readonly RequestColumn[] = REQUEST_COLUMNS) {
  const list = (render: (column: RequestColumn) => string) => columns.map(render).join(',\n    ');
  return {
    request_columns: list(columnDefinition),
    span_columns: [
      ...columns.map((column) => selected(column.span, column.name)),
      ...SENT_COST_COLUMNS.map((column) => selected(column.span, column.name)),
      selected(USAGE_READABLE_COLUMN.span, USAGE_READABLE_COLUMN.name),
      selected(SERVER_PORT_COLUMN.span, SERVER_PORT_COLUMN.name),
    ].join(',\n    '),
    recorded_columns: list((column) => selected(column.recorded ?? column.name, column.name)),
    priced_columns: list((column) => selected(column.priced ?? column.name, column.name)),
  };
}
