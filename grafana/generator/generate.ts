/**
 * Writes grafana/dashboards/*.json from ./dashboards.ts:
 *   node grafana/generator/generate.ts           (Node >= 22.18 runs the TypeScript as is)
 * test/grafana checks that the committed JSON is what this writes.
 */
import { writeFileSync } from 'node:fs';
import { buildDashboards } from './dashboards.ts';

const out = new URL('../dashboards/', import.meta.url);
for (const { file, json } of buildDashboards()) {
  writeFileSync(new URL(file, out), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote grafana/dashboards/${file}`);
}
