/**
 * Writes grafana/dashboards/*.json from ./dashboards.ts:
 *   node grafana/generator/generate.ts           (Node >= 22.18 runs the TypeScript as is)
 *   AICOST_DATABASE=finops node grafana/generator/generate.ts --out /path/to/dir
 *                                                (dashboards for a schema in another database)
 * test/grafana checks that the committed JSON is what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDashboards } from './dashboards.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? fileURLToPath(new URL('../dashboards/', import.meta.url));
mkdirSync(out, { recursive: true });
for (const { file, json } of buildDashboards()) {
  writeFileSync(join(out, file), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${join(out, file)}`);
}
