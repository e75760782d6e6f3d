/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS) the real SDK. Runs the
 * built packages (dist), as users get them.
 */
import { describe, expect, it } from 'vitest';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { eventStream, json } from '../../../test/support/mock-server.js';

const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));
const { runApp } = useHookedApps('instrumentation-bedrock', (server) => {
  server.on('POST', /\/converse$/, json(fixture('converse-basic')));
  server.on('POST', /\/converse-stream$/, eventStream(fixture('converse-stream-tool-use').events));
});

describe('module hooks', () => {
  it.each([
    ['ESM import', './test/hooks/app.mjs'],
    ['CJS require', './test/hooks/app.cjs'],
  ])('%s of @aws-sdk/client-bedrock-runtime is instrumented, once per call', async (_, app) => {
    const spans = await runApp(app);

    expect(spans.map((s) => [s.name, s.attributes['aicost.request.stream'] === true])).toEqual([
      ['chat anthropic.claude-3-haiku-20240307-v1:0', false],
      ['chat anthropic.claude-3-haiku-20240307-v1:0', true],
    ]);
    // Same fixtures and prices as converse.test.ts: 30 × 250 + 628 × 1,250 and 375 × 250 + 56 × 1,250 nano-USD.
    expect(spans.map((s) => s.attributes['aicost.cost.total'])).toEqual(['0.000792500', '0.000163750']);
  });
});
