/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `require` (CJS) or `import` (ESM) the real SDK. Runs the
 * built packages (dist), as users get them.
 */
import { expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { PACKAGE_NAME } from '../src/index.js';
import { chatStream, jsonFixture } from './setup.js';

const PATH = '/openai/v1/chat/completions';
const { server, runApp } = useHookedApps('instrumentation-groq');

it.each([
  // Same fixtures and prices as groq.test.ts: 18 × 590 + 556 × 790, then 18 × 590 + 7 × 790 nano-USD.
  ['CJS require of groq-sdk', './test/hooks/app.cjs', ['0.000449860', '0.000016150']],
  ['ESM import of groq-sdk', './test/hooks/app.mjs', ['0.000449860']],
])('%s is instrumented', async (_, app, costs) => {
  server.on('POST', PATH, jsonFixture('chat-completion'), chatStream('chat-stream'));

  const spans = await runApp(app);

  expect(spans.map((span) => `${span.scope}: ${span.name}`)).toEqual(
    costs.map(() => `${PACKAGE_NAME}: chat llama-3.3-70b-versatile`),
  );
  expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(costs);
});
