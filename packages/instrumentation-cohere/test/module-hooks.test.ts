/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `require` (CJS) or `import` (ESM) the real SDK, both
 * majors. Runs the built packages (dist), as users get them.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HookedAppSpan, runHookedApp } from '../../../test/support/hooked-app.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt } from '../../node/test/support/build.js';
import { PACKAGE_NAME } from '../src/index.js';
import { jsonFixture } from './setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-cohere');
  server = await startMockServer();
  server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
}, 180_000);
afterAll(() => server?.close());

function runApp(app: string) {
  return runHookedApp<Required<HookedAppSpan>>(packageDir, app, { MOCK_URL: server.url });
}

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
