/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `require` (CJS) or `import` (ESM) the real SDK, both
 * majors. Runs the built packages (dist), as users get them.
 */
import { expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { PACKAGE_NAME } from '../src/index.js';
import { jsonFixture } from './setup.js';

const { runApp } = useHookedApps('instrumentation-cohere', (server) => {
  server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
});

it.each([
  ['CJS require of cohere-ai 8 and 7', './test/hooks/app.cjs', 2],
  ['ESM import of cohere-ai 8', './test/hooks/app.mjs', 1],
])('%s is instrumented', async (_, app, calls) => {
  const spans = await runApp(app);

  expect(spans).toHaveLength(calls);
  for (const span of spans) {
    expect(`${span.scope}: ${span.name}`).toBe(`${PACKAGE_NAME}: chat command-a-03-2025`);
    // Same fixture and prices as cohere.test.ts.
    expect(span.attributes['aicost.cost.total']).toBe('0.000162500');
  }
});
