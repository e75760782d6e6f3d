/**
 * The dashboard JSON is valid for Grafana and for the ClickHouse plugin:
 * - each dashboard type-checks against Grafana's published schema types (@grafana/schema,
 *   `satisfies Dashboard` on the JSON as a literal, so misspelled keys and wrong enum values
 *   fail), with a broken dashboard as the control that the check bites;
 * - every panel and query uses the provisioned datasource, a plugin query format (0 time
 *   series, 1 table, 2 logs, 3 traces) and queryType (the plugin's QueryType values), and the
 *   variables are written the way the plugin needs (test/support/grafana.ts explains why);
 * - the committed JSON is what the generator writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDashboards } from '../../grafana/generator/dashboards.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARD_DIR = join(ROOT, 'grafana/dashboards');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

const files = readdirSync(DASHBOARD_DIR).filter((file) => file.endsWith('.json'));
const dashboards = files.map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')),
}));

const provisioned = parse(
  readFileSync(join(ROOT, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8'),
);
const datasource = provisioned.datasources[0];

/** Values of the plugin's enums (src/types/queryBuilder.ts, src/types/sql.ts). */
const PLUGIN_QUERY_TYPES = ['table', 'logs', 'timeseries', 'traces'];
const PLUGIN_FORMATS = [0, 1, 2, 3];
const EDITOR_TYPES = ['sql', 'builder'];
/** The format each panel type needs. */
const PANEL_FORMAT: Record<string, number> = {
  timeseries: 0,
  table: 1,
  stat: 1,
  bargauge: 1,
  barchart: 1,
  piechart: 1,
};

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Type-checks `export const d = <json> satisfies Dashboard` with tsc; returns tsc's output ('' = ok). */
function typecheck(dashboardsByName: Record<string, unknown>): string {
  // Inside test/ so that `@grafana/schema` resolves from test/node_modules.
  const dir = mkdtempSync(join(ROOT, 'test/grafana/.typecheck-'));
  scratch.push(dir);
  const names = Object.keys(dashboardsByName);
  for (const name of names) {
    writeFileSync(
      join(dir, `${name}.ts`),
      `import type { Dashboard } from '@grafana/schema';\nexport const dashboard = ${JSON.stringify(dashboardsByName[name], null, 2)} satisfies Dashboard;\n`,
    );
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2023',
        skipLibCheck: true,
        types: [],
      },
      files: names.map((name) => `${name}.ts`),
    }),
  );
  try {
    execFileSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('Grafana dashboard schema (@grafana/schema)', () => {
  it('every dashboard satisfies the Dashboard type', () => {
    const output = typecheck(
      Object.fromEntries(dashboards.map(({ file, json }) => [file.replace('.json', ''), json])),
    );
    expect(output).toBe('');
  }, 120_000);

  it('rejects a dashboard with a misspelled key or a wrong type (control)', () => {
    const [first] = dashboards;
    const output = typecheck({
      misspelled: { ...first!.json, refreshh: '5s' },
      mistyped: { ...first!.json, schemaVersion: '41' },
    });
    expect(output).toMatch(/misspelled\.ts\(\d+,\d+\): error TS2353: .*'"?refreshh"?'/);
    expect(output).toMatch(
      /mistyped\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  }, 120_000);
});

describe('queries valid for the ClickHouse plugin', () => {
  it.each(dashboards)('$file: datasource, format and query type of every panel and query', ({ json }) => {
    expect(datasource.type).toBe('grafana-clickhouse-datasource');
    for (const panel of json.panels) {
      expect(panel.datasource).toEqual({ type: datasource.type, uid: datasource.uid });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.datasource).toEqual({ type: datasource.type, uid: datasource.uid });
        expect(EDITOR_TYPES).toContain(target.editorType);
        expect(PLUGIN_FORMATS).toContain(target.format);
        expect(PLUGIN_QUERY_TYPES).toContain(target.queryType);
        expect(target.format).toBe(PANEL_FORMAT[panel.type]);
        expect(target.rawSql).toMatch(/\bFROM otel\.aicost_/);
      }
      // Every link is the plugin's internal trace link: trace format, trace-ID builder query.
      for (const override of panel.fieldConfig.overrides) {
        for (const property of override.properties.filter((p: { id: string }) => p.id === 'links')) {
          for (const link of property.value) {
            expect(link.internal.datasourceUid).toBe(datasource.uid);
            expect(link.internal.query.format).toBe(3);
            expect(link.internal.query.editorType).toBe('builder');
            expect(link.internal.query.builderOptions.queryType).toBe('traces');
            expect(link.internal.query.builderOptions.meta.isTraceIdMode).toBe(true);
            expect(link.internal.query.builderOptions.table).toBe(datasource.jsonData.traces.defaultTable);
          }
        }
      }
    }
  });

  it.each(dashboards)('$file: the six variables, multi-value, All as the custom all value', ({ json }) => {
    const variables = json.templating.list;
    expect(variables.map((v: { name: string }) => v.name)).toEqual([
      'service',
      'environment',
      'provider',
      'model',
      'feature',
      'customer',
    ]);
    for (const variable of variables) {
      expect(variable).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '$__all' });
      expect(variable.datasource).toEqual({ type: datasource.type, uid: datasource.uid });
      expect(variable.query.rawSql).toMatch(/FROM otel\.aicost_rollup_hourly/);
    }
    // Each variable appears only as ${name:customqueryparam:v} inside the percent-decoding of a
    // filter (grafana/generator/sql.ts selectedValues: no quote or backslash can end the
    // literal; `singlequote` does not escape `\`) and as the bare $name second argument of
    // $__conditionalAll, of a filter or of an "is All" probe ($__conditionalAll(0 = 1, $name):
    // which rollup to read): anything else breaks on quotes, backslashes or on All.
    const sql = json.panels
      .flatMap((p: { targets: Array<{ rawSql: string }> }) => p.targets.map((t) => t.rawSql))
      .join('\n');
    for (const { name } of variables) {
      const uses = [...sql.matchAll(new RegExp(`\\$\\{${name}(?::[a-z:]+)?\\}|\\$${name}\\b`, 'g'))].map(
        (m) => m[0],
      );
      expect(uses.length).toBeGreaterThan(0);
      expect(new Set(uses)).toEqual(new Set([`\${${name}:customqueryparam:v}`, `$${name}`]));
      const decoded = `has\\(arrayMap\\(v -> decodeURLComponent\\(substring\\(v, 3\\)\\), splitByChar\\('&', '\\$\\{${name}:customqueryparam:v\\}'\\)\\)`;
      const filters = sql.match(
        new RegExp(`\\$__conditionalAll\\(${decoded}, [^\\n]*\\), \\$${name}\\)`, 'g'),
      );
      const probes = sql.match(new RegExp(`\\$__conditionalAll\\(0 = 1, \\$${name}\\)`, 'g')) ?? [];
      const quoted = uses.filter((use) => use !== `$${name}`).length;
      expect(filters?.length).toBe(quoted);
      expect(uses.length).toBe(2 * quoted + probes.length);
    }
  });
});

describe('generated', () => {
  it('the committed JSON is what grafana/generator writes', () => {
    const generated = buildDashboards();
    expect(generated.map((d) => d.file).sort()).toEqual([...files].sort());
    for (const { file, json } of generated) {
      expect(readFileSync(join(DASHBOARD_DIR, file), 'utf8')).toBe(`${JSON.stringify(json, null, 2)}\n`);
    }
  });

  it('the generator type-checks', () => {
    execFileSync(TSC, ['-p', join(ROOT, 'grafana/generator/tsconfig.json')], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  }, 120_000);
});
