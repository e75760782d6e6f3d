/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (2.x is ESM only) or `require` (1.x) the real
 * SDK. Runs the built packages (dist), as users get them.
 */
import { expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { PACKAGE_NAME } from '../src/index.js';
import { jsonFixture, sseFixture } from './setup.js';

const { server, runApp } = useHookedApps('instrumentation-mistral', (server) => {
  server.on('POST', '/v1/embeddings', jsonFixture('embeddings'));
});

it('ESM import of @mistralai/mistralai 2.x is instrumented, and its own tracing stands aside', async () => {
  // The child registers no OpenTelemetry context manager: the SDK's tracing must stand aside without one.
  server.on('POST', '/v1/chat/completions', jsonFixture('chat-basic'), sseFixture('chat-stream'));

  const spans = await runApp('./test/hooks/app.mjs', { MISTRAL_SDK_TELEMETRY: 'global' });

  expect(spans.map((s) => `${s.scope}: ${s.name}`)).toEqual([
    `${PACKAGE_NAME}: chat mistral-small-latest`,
    `${PACKAGE_NAME}: chat mistral-small-latest`,
    `${PACKAGE_NAME}: embeddings mistral-embed`,
  ]);
  // Same fixtures and prices as mistral.test.ts.
  expect(spans.map((s) => s.attributes['aicost.cost.total'])).toEqual([
    '0.000011800',
    '0.000003100',
    '0.000001500',
  ]);
});

it('CommonJS require of @mistralai/mistralai 1.x (through an npm alias) is instrumented', async () => {
  server.on('POST', '/v1/chat/completions', jsonFixture('chat-basic'));

  const spans = await runApp('./test/hooks/app-v1.cjs');

  expect(spans.map((s) => `${s.scope}: ${s.name}`)).toEqual([`${PACKAGE_NAME}: chat mistral-small-latest`]);
  expect(spans[0]!.attributes['aicost.cost.total']).toBe('0.000011800');
});
