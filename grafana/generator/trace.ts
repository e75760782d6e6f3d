/**
 * The "View trace" data link of the request tables: opens Explore on the plugin's trace view
 * for the row's trace, with the row's span selected.
 *
 * It is the link the plugin itself attaches to a `traceID` field
 * (src/data/utils.ts, transformQueryResponseWithTraceAndLogLinks): an internal link whose
 * query is a query-builder query in trace-ID mode over the exporter's `otel_traces`
 * (OTel column map 1.2.9, durations in nanoseconds), with its SQL pre-generated so Explore runs
 * it at once. The SQL below is what the plugin's generateTraceIdQuery
 * (src/data/sqlGenerator.ts) produces for those options, including the lookup in the
 * `otel_traces_trace_id_ts` companion table that the schema creates.
 */
import { DATASOURCE, FORMAT, type JsonObject, PLUGIN_VERSION } from './panels.ts';
import { DATABASE } from './sql.ts';

const TABLE = 'otel_traces';

/** The plugin's OTel 1.2.9 trace column map (src/otel.ts): column hint -> exporter column. */
const TRACE_COLUMNS: ReadonlyArray<[hint: string, column: string]> = [
  ['time', 'Timestamp'],
  ['trace_id', 'TraceId'],
  ['trace_span_id', 'SpanId'],
  ['trace_parent_span_id', 'ParentSpanId'],
  ['trace_service_name', 'ServiceName'],
  ['trace_operation_name', 'SpanName'],
  ['trace_duration_time', 'Duration'],
  ['trace_tags', 'SpanAttributes'],
  ['trace_service_tags', 'ResourceAttributes'],
  ['trace_status_code', 'StatusCode'],
  ['trace_kind', 'SpanKind'],
  ['trace_status_message', 'StatusMessage'],
  ['trace_state', 'TraceState'],
];

const tags = (column: string) =>
  `arrayMap(key -> map('key', key, 'value',"${column}"[key]), mapKeys("${column}"))`;
const fields = (expr: string) => `arrayMap(key -> map('key', key, 'value', ${expr}[key]), mapKeys(${expr}))`;

/** The trace-ID query for `traceId` (a literal or a Grafana expression such as `${__value.raw}`). */
export function traceIdSql(traceId: string): string {
  const select = [
    '"TraceId" as traceID',
    '"SpanId" as spanID',
    '"ParentSpanId" as parentSpanID',
    '"ServiceName" as serviceName',
    '"SpanName" as operationName',
    'multiply(toUnixTimestamp64Nano("Timestamp"), 0.000001) as startTime',
    'multiply("Duration", 0.000001) as duration',
    `${tags('SpanAttributes')} as tags`,
    `${tags('ResourceAttributes')} as serviceTags`,
    `if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode`,
    [
      'arrayMap((name, timestamp, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(timestamp)),',
      `${fields('attributes')})::Tuple(name String, timestamp String, fields Array(Map(String, String))),`,
      '"Events".Name, "Events".Timestamp,',
      '"Events".Attributes) AS logs',
    ].join(' '),
    [
      `arrayMap((traceID, spanID, attributes) -> tuple(traceID, spanID, ${fields('attributes')})::Tuple(traceID String, spanID String, tags Array(Map(String, String))),`,
      '"Links".TraceId, "Links".SpanId,',
      '"Links".Attributes) AS references',
    ].join(' '),
    '"SpanKind" as kind',
    '"StatusMessage" as statusMessage',
    '"TraceState" as traceState',
  ].join(', ');
  const companion = `"${DATABASE}"."${TABLE}_trace_id_ts"`;
  return [
    'WITH',
    `'${traceId}' as __gf_trace_id,`,
    `(SELECT min(Start) FROM ${companion} WHERE TraceId = __gf_trace_id) as __gf_trace_start,`,
    `(SELECT max(End) + 1 FROM ${companion} WHERE TraceId = __gf_trace_id) as __gf_trace_end`,
    'SELECT',
    select,
    'FROM',
    `"${DATABASE}"."${TABLE}"`,
    'WHERE',
    'traceID = __gf_trace_id',
    'AND',
    '"Timestamp" >= __gf_trace_start',
    'AND',
    '"Timestamp" <= __gf_trace_end',
  ].join(' ');
}

/** The internal data link, for a table field holding the trace id (`${__value.raw}`). */
export function viewTraceLink(spanIdField: string): JsonObject {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana data-link variable, resolved by Grafana
  const traceId = '${__value.raw}';
  return {
    title: 'View trace',
    url: '',
    targetBlank: false,
    internal: {
      datasourceUid: DATASOURCE.uid,
      datasourceName: DATASOURCE.type,
      query: {
        refId: 'Trace ID',
        datasource: { ...DATASOURCE },
        editorType: 'builder',
        format: FORMAT.traces,
        pluginVersion: PLUGIN_VERSION,
        rawSql: traceIdSql(traceId),
        builderOptions: {
          database: DATABASE,
          table: TABLE,
          queryType: 'traces',
          columns: TRACE_COLUMNS.map(([hint, name]) => ({ name, hint })),
          filters: [],
          orderBy: [],
          meta: {
            minimized: true,
            isTraceIdMode: true,
            traceId,
            traceDurationUnit: 'nanoseconds',
            otelEnabled: true,
            otelVersion: 'latest',
            traceEventsColumnPrefix: 'Events',
            traceLinksColumnPrefix: 'Links',
            hasTraceTimestampTable: true,
            traceTimestampTableSuffix: '_trace_id_ts',
            flattenNested: false,
            tagsAreJSON: false,
          },
        },
      },
      panelsState: { trace: { spanId: `\${__data.fields.${spanIdField}}` } },
    },
  };
}
