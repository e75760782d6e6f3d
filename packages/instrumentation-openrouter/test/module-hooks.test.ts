/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS, `require(esm)`: the SDK
 * ships ES modules only) the real SDK. Runs the built packages (dist), as users get them.
 *
 * The SDK is some 1,000 ES modules, each of which the loader hook sees: loading it takes
 * about 6 s of CPU with the hook (1.7 s without), so these runs get a longer budget.
 */
const APP_TIMEOUT_MS = 90_000;

import { expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { PACKAGE_NAME } from '../src/index.js';
import { API, chatStream, jsonFixture } from './setup.js';

const { server, runApp } = useHookedApps('instrumentation-openrouter');

it.each([
  // Same fixtures as openrouter.test.ts: usage.cost 0.0000088512345, then 6e-7 USD.
  ['ESM import of @openrouter/sdk', './test/hooks/app.mjs', ['0.000008851', '0.000000600']],
  ['CJS require of @openrouter/sdk', './test/hooks/app.cjs', ['0.000008851']],
])(
  '%s is instrumented',
  async (_, app, costs) => {
    server.on('POST', `${API}/chat/completions`, jsonFixture('chat-completion'), chatStream('chat-stream'));

    const spans = await runApp(app, {}, { timeoutMs: APP_TIMEOUT_MS });

    expect(spans.map((span) => `${span.scope}: ${span.name}`)).toEqual(
      costs.map(() => `${PACKAGE_NAME}: chat openai/gpt-4o-mini`),
    );
    expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(costs);
  },
  APP_TIMEOUT_MS + 10_000,
);
