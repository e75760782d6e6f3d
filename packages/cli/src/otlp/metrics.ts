/**
 * OTLP metrics to rows of the exporter's five metric tables
 * (`otel_metrics_gauge|sum|histogram|exponential_histogram|summary`), as the
 * contrib clickhouseexporter's `internal/metrics` models write them: times in
 * whole seconds (`DateTime` columns), every number value as Float64, exemplar
 * ids as hex with zeros kept.
 */
import {
  attributesMap,
  type BytesInput,
  type Int64Input,
  idHex,
  int64String,
  type KeyValue,
  nanosToSeconds,
  serviceName,
} from './values.js';

type Num = number | string | null | undefined;

interface Exemplar {
  filteredAttributes?: KeyValue[] | null;
  timeUnixNano?: Int64Input;
  asDouble?: Num;
  asInt?: Int64Input;
  spanId?: BytesInput;
  traceId?: BytesInput;
}

interface PointBase {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64Input;
  timeUnixNano?: Int64Input;
  flags?: number | null;
}

interface NumberPoint extends PointBase {
  asDouble?: Num;
  asInt?: Int64Input;
  exemplars?: Exemplar[] | null;
}

interface HistogramPoint extends PointBase {
  count?: Int64Input;
  sum?: Num;
  bucketCounts?: Int64Input[] | null;
  explicitBounds?: Num[] | null;
  exemplars?: Exemplar[] | null;
  min?: Num;
  max?: Num;
}

interface ExpHistogramPoint extends PointBase {
  count?: Int64Input;
  sum?: Num;
  scale?: number | null;
  zeroCount?: Int64Input;
  positive?: { offset?: number | null; bucketCounts?: Int64Input[] | null } | null;
  negative?: { offset?: number | null; bucketCounts?: Int64Input[] | null } | null;
  exemplars?: Exemplar[] | null;
  min?: Num;
  max?: Num;
}

interface SummaryPoint extends PointBase {
  count?: Int64Input;
  sum?: Num;
  quantileValues?: { quantile?: Num; value?: Num }[] | null;
}

interface Metric {
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: NumberPoint[] | null } | null;
  sum?: {
    dataPoints?: NumberPoint[] | null;
    aggregationTemporality?: number | string | null;
    isMonotonic?: boolean | null;
  } | null;
  histogram?: {
    dataPoints?: HistogramPoint[] | null;
    aggregationTemporality?: number | string | null;
  } | null;
  exponentialHistogram?: {
    dataPoints?: ExpHistogramPoint[] | null;
    aggregationTemporality?: number | string | null;
  } | null;
  summary?: { dataPoints?: SummaryPoint[] | null } | null;
}

export interface OtlpMetricsRequest {
  resourceMetrics?:
    | {
        resource?: { attributes?: KeyValue[] | null } | null;
        schemaUrl?: string | null;
        scopeMetrics?:
          | {
              scope?: {
                name?: string | null;
                version?: string | null;
                attributes?: KeyValue[] | null;
                droppedAttributesCount?: number | null;
              } | null;
              schemaUrl?: string | null;
              metrics?: Metric[] | null;
            }[]
          | null;
      }[]
    | null;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** JSONEachRow text per metric kind (the table is `otel_metrics_<kind>`). */
export type MetricRows = Record<MetricKind, string[]>;

/** Float64 for JSONEachRow: non-finite values as the strings the engine parses. */
function float(v: Num): string {
  const n = v === null || v === undefined ? 0 : Number(v);
  if (Number.isNaN(n)) return '"nan"';
  if (!Number.isFinite(n)) return n > 0 ? '"inf"' : '"-inf"';
  return String(n);
}

const AGGREGATION_TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function temporality(v: number | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return AGGREGATION_TEMPORALITY[v] ?? (Number(v) || 0);
}

/** `getValue`: the int or the double, whichever the point carries; 0 when neither. */
function pointValue(p: { asDouble?: Num; asInt?: Int64Input }): string {
  if (p.asDouble !== null && p.asDouble !== undefined && Object.hasOwn(p, 'asDouble'))
    return float(p.asDouble);
  if (p.asInt !== null && p.asInt !== undefined && Object.hasOwn(p, 'asInt')) return int64String(p.asInt);
  return '0';
}

function exemplarColumns(exemplars: Exemplar[] | null | undefined): string {
  const ex = exemplars ?? [];
  return (
    `,"Exemplars.FilteredAttributes":${JSON.stringify(ex.map((e) => attributesMap(e.filteredAttributes)))}` +
    `,"Exemplars.TimeUnix":[${ex.map((e) => nanosToSeconds(e.timeUnixNano)).join(',')}]` +
    `,"Exemplars.Value":[${ex.map(pointValue).join(',')}]` +
    `,"Exemplars.SpanId":${JSON.stringify(ex.map((e) => idHex(e.spanId, 16)))}` +
    `,"Exemplars.TraceId":${JSON.stringify(ex.map((e) => idHex(e.traceId, 32)))}`
  );
}

const u64List = (xs: Int64Input[] | null | undefined) => `[${(xs ?? []).map(int64String).join(',')}]`;
const f64List = (xs: Num[] | null | undefined) => `[${(xs ?? []).map(float).join(',')}]`;

export function metricsToRows(req: OtlpMetricsRequest): { rows: MetricRows; count: number } {
  const rows: MetricRows = { gauge: [], sum: [], histogram: [], exponential_histogram: [], summary: [] };
  let count = 0;
  for (const rm of req.resourceMetrics ?? []) {
    const resAttrs = rm.resource?.attributes;
    const resource =
      `"ResourceAttributes":${JSON.stringify(attributesMap(resAttrs))}` +
      `,"ResourceSchemaUrl":${JSON.stringify(rm.schemaUrl ?? '')}` +
      `,"ServiceName":${JSON.stringify(serviceName(resAttrs))}`;
    for (const sm of rm.scopeMetrics ?? []) {
      const scope =
        `,"ScopeName":${JSON.stringify(sm.scope?.name ?? '')}` +
        `,"ScopeVersion":${JSON.stringify(sm.scope?.version ?? '')}` +
        `,"ScopeAttributes":${JSON.stringify(attributesMap(sm.scope?.attributes))}` +
        `,"ScopeDroppedAttrCount":${sm.scope?.droppedAttributesCount ?? 0}` +
        `,"ScopeSchemaUrl":${JSON.stringify(sm.schemaUrl ?? '')}`;
      for (const m of sm.metrics ?? []) {
        const head =
          `{${resource}${scope}` +
          `,"MetricName":${JSON.stringify(m.name ?? '')}` +
          `,"MetricDescription":${JSON.stringify(m.description ?? '')}` +
          `,"MetricUnit":${JSON.stringify(m.unit ?? '')}`;
        const point = (p: PointBase) =>
          `${head},"Attributes":${JSON.stringify(attributesMap(p.attributes))}` +
          `,"StartTimeUnix":${nanosToSeconds(p.startTimeUnixNano)}` +
          `,"TimeUnix":${nanosToSeconds(p.timeUnixNano)}` +
          `,"Flags":${p.flags ?? 0}`;
        if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? []) {
            rows.gauge.push(`${point(p)},"Value":${pointValue(p)}${exemplarColumns(p.exemplars)}}`);
          }
        } else if (m.sum) {
          const tail = `,"AggregationTemporality":${temporality(m.sum.aggregationTemporality)},"IsMonotonic":${m.sum.isMonotonic ? 'true' : 'false'}}`;
          for (const p of m.sum.dataPoints ?? []) {
            rows.sum.push(`${point(p)},"Value":${pointValue(p)}${exemplarColumns(p.exemplars)}${tail}`);
          }
        } else if (m.histogram) {
          const tail = `,"AggregationTemporality":${temporality(m.histogram.aggregationTemporality)}}`;
          for (const p of m.histogram.dataPoints ?? []) {
            rows.histogram.push(
              `${point(p)},"Count":${int64String(p.count)},"Sum":${float(p.sum)}` +
                `,"BucketCounts":${u64List(p.bucketCounts)},"ExplicitBounds":${f64List(p.explicitBounds)}` +
                `${exemplarColumns(p.exemplars)},"Min":${float(p.min)},"Max":${float(p.max)}${tail}`,
            );
          }
        } else if (m.exponentialHistogram) {
          const tail = `,"AggregationTemporality":${temporality(m.exponentialHistogram.aggregationTemporality)}}`;
          for (const p of m.exponentialHistogram.dataPoints ?? []) {
            rows.exponential_histogram.push(
              `${point(p)},"Count":${int64String(p.count)},"Sum":${float(p.sum)}` +
                `,"Scale":${p.scale ?? 0},"ZeroCount":${int64String(p.zeroCount)}` +
                `,"PositiveOffset":${p.positive?.offset ?? 0},"PositiveBucketCounts":${u64List(p.positive?.bucketCounts)}` +
                `,"NegativeOffset":${p.negative?.offset ?? 0},"NegativeBucketCounts":${u64List(p.negative?.bucketCounts)}` +
                `${exemplarColumns(p.exemplars)},"Min":${float(p.min)},"Max":${float(p.max)}${tail}`,
            );
          }
        } else if (m.summary) {
          for (const p of m.summary.dataPoints ?? []) {
            const q = p.quantileValues ?? [];
            rows.summary.push(
              `${point(p)},"Count":${int64String(p.count)},"Sum":${float(p.sum)}` +
                `,"ValueAtQuantiles.Quantile":${f64List(q.map((x) => x.quantile))}` +
                `,"ValueAtQuantiles.Value":${f64List(q.map((x) => x.value))}}`,
            );
          }
        }
      }
    }
  }
  for (const kind of Object.keys(rows) as MetricKind[]) count += rows[kind].length;
  return { rows, count };
}
