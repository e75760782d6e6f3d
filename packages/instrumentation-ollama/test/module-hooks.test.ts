/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `require` (CJS) or `import` (ESM) the real SDK. Runs the
 * built packages (dist), as users get them, with the self-hosted rates of
 * `hooks/prices.json` (the same as ollama.test.ts) given through `AICOST_PRICES_FILE`.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { PACKAGE_NAME } from '../src/index.js';
import { jsonFixture, ndjsonFixture } from './setup.js';

const { runApp } = useHookedApps('instrumentation-ollama', (server) => {
  server.on('POST', '/api/chat', jsonFixture('chat'));
  server.on('POST', '/api/generate', ndjsonFixture('generate-stream'));
  server.on('POST', '/api/embed', jsonFixture('embed'));
});
/** The user's self-hosted rates, as the apps' prices file. */
const PRICES = { AICOST_PRICES_FILE: fileURLToPath(new URL('./hooks/prices.json', import.meta.url)) };

it.each([
  [
    'CJS require of ollama',
    './test/hooks/app.cjs',
    // 26 × 50 + 298 × 200, then 26 × 50 + 259 × 200 nano-USD
    [
      ['chat llama3.2', '0.000060900'],
      ['text_completion llama3.2', '0.000053100'],
    ],
  ],
  [
    'ESM import of ollama',
    './test/hooks/app.mjs',
    // 26 × 50 + 298 × 200, then 8 × 10 nano-USD
    [
      ['chat llama3.2', '0.000060900'],
      ['embeddings all-minilm', '0.000000080'],
    ],
  ],
])('%s is instrumented', async (_, app, expected) => {
  const spans = await runApp(app, PRICES);

  expect(spans.map((span) => [`${span.scope}: ${span.name}`, span.attributes['aicost.cost.total']])).toEqual(
    expected.map(([name, cost]) => [`${PACKAGE_NAME}: ${name}`, cost]),
  );
});
