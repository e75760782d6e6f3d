/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS) the real SDKs. Runs the
 * built packages (dist), as users get them.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHookedApp } from '../../../test/support/hooked-app.js';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt } from '../../node/test/support/build.js';
import { geminiRoute, loadFixture } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-google-genai');
  server = await startMockServer();
  server.on(
    'POST',
    geminiRoute('gemini-2.5-flash', 'generateContent'),
    json(loadFixture('generate-content-cached-thinking')),
  );
}, 180_000);
afterAll(() => server?.close());

function runApp(app: string) {
  return runHookedApp(packageDir, app, { MOCK_URL: server.url });
}

describe('module hooks', () => {
  it.each([
    ['ESM import', './test/hooks/app.mjs'],
    ['CJS require', './test/hooks/app.cjs'],
  ])('%s of @google/genai and @google/generative-ai is instrumented', async (_, app) => {
    const spans = await runApp(app);

    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(span.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
      // Same fixture and prices as genai.test.ts.
      expect(span.attributes['aicost.cost.total']).toBe('0.003940000');
    }
  });
});
