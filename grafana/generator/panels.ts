/**
 * Panel, query and variable builders: the Grafana JSON model (schemaVersion 41) with only the
 * keys we set. Every query is a raw-SQL query of the ClickHouse plugin against the provisioned
 * datasource (grafana/provisioning/datasources/clickhouse.yaml).
 */
import {
  CUSTOMER_DAILY,
  DIMENSIONS,
  type Dimension,
  FEATURE_DAILY,
  OVER_RANGE,
  ROLLUP_RANGE,
  rollupOver,
  shown,
} from './sql.ts';

export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'aicost-clickhouse' } as const;
/** Plugin version the query models were read from (grafana/clickhouse-datasource). */
export const PLUGIN_VERSION = '4.20.0';

/** The plugin's query `format`: sqlds' FormatQueryOption. */
export const FORMAT = { timeSeries: 0, table: 1, logs: 2, traces: 3 } as const;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Target extends JsonObject {
  refId: string;
  datasource: JsonObject;
  editorType: 'sql';
  format: number;
  queryType: string;
  rawSql: string;
  pluginVersion: string;
}

export function sqlTarget(rawSql: string, format: number, refId = 'A'): Target {
  const queryType =
    format === FORMAT.timeSeries ? 'timeseries' : format === FORMAT.traces ? 'traces' : 'table';
  return {
    refId,
    datasource: { ...DATASOURCE },
    editorType: 'sql',
    format,
    queryType,
    rawSql,
    pluginVersion: PLUGIN_VERSION,
  };
}

/** A panel before layout: `gridPos` x/y are assigned by `layout`. */
export interface PanelSpec {
  title: string;
  description: string;
  type: 'stat' | 'timeseries' | 'table' | 'bargauge' | 'barchart' | 'piechart';
  width: number;
  height: number;
  targets: Target[];
  unit?: string;
  decimals?: number;
  options?: JsonObject;
  overrides?: JsonObject[];
  custom?: JsonObject;
  links?: JsonObject[];
  transformations?: JsonObject[];
}

const MONEY_DECIMALS = 4;

export function stat(
  title: string,
  description: string,
  sql: string,
  unit: string,
  extra: Partial<PanelSpec> = {},
): PanelSpec {
  return {
    title,
    description,
    type: 'stat',
    width: 4,
    height: 4,
    targets: [sqlTarget(sql, FORMAT.table)],
    unit,
    ...(unit === 'currencyUSD' ? { decimals: MONEY_DECIMALS } : {}),
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'none',
      graphMode: 'none',
      justifyMode: 'auto',
      textMode: 'auto',
      orientation: 'auto',
    },
    ...extra,
  };
}

export function timeseries(
  title: string,
  description: string,
  sql: string,
  unit: string,
  extra: Partial<PanelSpec> = {},
): PanelSpec {
  return {
    title,
    description,
    type: 'timeseries',
    width: 12,
    height: 8,
    targets: [sqlTarget(sql, FORMAT.timeSeries)],
    unit,
    custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false },
    options: {
      legend: { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['sum'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    ...extra,
  };
}

export function table(
  title: string,
  description: string,
  sql: string,
  extra: Partial<PanelSpec> = {},
): PanelSpec {
  return {
    title,
    description,
    type: 'table',
    width: 12,
    height: 9,
    targets: [sqlTarget(sql, FORMAT.table)],
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    ...extra,
  };
}

/** Field overrides: units per column name. */
export function units(byColumn: Record<string, string>): JsonObject[] {
  return Object.entries(byColumn).map(([column, unit]) => ({
    matcher: { id: 'byName', options: column },
    properties: [
      { id: 'unit', value: unit },
      ...(unit === 'currencyUSD' ? [{ id: 'decimals', value: MONEY_DECIMALS }] : []),
    ],
  }));
}

/** Places panels left to right, wrapping at Grafana's 24-column grid. */
export function layout(specs: readonly PanelSpec[]): JsonObject[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, index) => {
    if (x + spec.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h: spec.height, w: spec.width, x, y };
    x += spec.width;
    rowHeight = Math.max(rowHeight, spec.height);
    return panelJson(spec, index + 1, gridPos);
  });
}

function panelJson(spec: PanelSpec, id: number, gridPos: JsonObject): JsonObject {
  const defaults: JsonObject = {};
  if (spec.unit !== undefined) defaults.unit = spec.unit;
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.custom !== undefined) defaults.custom = spec.custom;
  if (spec.links !== undefined) defaults.links = spec.links;
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: { ...DATASOURCE },
    gridPos,
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    options: spec.options ?? {},
    targets: spec.targets,
    ...(spec.transformations === undefined ? {} : { transformations: spec.transformations }),
  };
}

/**
 * One dashboard variable per dimension, multi-value with All = `$__all`, its values read
 * from the rollup over the dashboard range. Customers are many: the 500 with the most spend.
 */
export function dimensionVariable(dimension: Dimension): JsonObject {
  const isCustomer = dimension.name === 'customer';
  const sql = isCustomer
    ? `SELECT ${shown('customer')} AS value\nFROM ${rollupOver({ ...OVER_RANGE, narrow: CUSTOMER_DAILY })}\nWHERE ${ROLLUP_RANGE}\nGROUP BY value\nORDER BY sum(cost_total) DESC, value\nLIMIT 500`
    : `SELECT DISTINCT ${shown(dimension.name)} AS value\nFROM ${rollupOver({ ...OVER_RANGE, narrow: FEATURE_DAILY })}\nWHERE ${ROLLUP_RANGE}\nORDER BY value`;
  return {
    type: 'query',
    name: dimension.name,
    label: dimension.label,
    datasource: { ...DATASOURCE },
    query: { refId: `${dimension.name}-variable`, editorType: 'sql', format: FORMAT.table, rawSql: sql },
    multi: true,
    includeAll: true,
    allValue: '$__all',
    current: { text: ['All'], value: ['$__all'] },
    options: [],
    // 2 = on time range change: the values follow the dashboard range.
    refresh: 2,
    sort: 0,
    hide: 0,
    regex: '',
    skipUrlSync: false,
  };
}

export const VARIABLES: JsonObject[] = DIMENSIONS.map(dimensionVariable);
