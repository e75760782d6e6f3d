/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `require` (CJS) or `import` (ESM) the real SDK. Runs the
 * built packages (dist), as users get them.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HookedAppSpan, runHookedApp } from '../../../test/support/hooked-app.js';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt } from '../../node/test/support/build.js';
import { PACKAGE_NAME } from '../src/index.js';
import { chatStream, jsonFixture } from './setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/openai/v1/chat/completions';
let server: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-groq');
  server = await startMockServer();
}, 180_000);
afterAll(() => server?.close());

it.each([
  // Same fixtures and prices as groq.test.ts: 18 × 590 + 556 × 790, then 18 × 590 + 7 × 790 nano-USD.
  ['CJS require of groq-sdk', './test/hooks/app.cjs', ['0.000449860', '0.000016150']],
  ['ESM import of groq-sdk', './test/hooks/app.mjs', ['0.000449860']],
])('%s is instrumented', async (_, app, costs) => {
  server.on('POST', PATH, jsonFixture('chat-completion'), chatStream('chat-stream'));

  const spans = await runHookedApp<Required<HookedAppSpan>>(packageDir, app, { MOCK_URL: server.url });

  expect(spans.map((span) => `${span.scope}: ${span.name}`)).toEqual(
    costs.map(() => `${PACKAGE_NAME}: chat llama-3.3-70b-versatile`),
  );
  expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(costs);
});
