/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS) the real SDKs. Runs the
 * built packages (dist), as users get them.
 */
import { describe, expect, it } from 'vitest';
import { useHookedApps } from '../../../test/support/hooked-app.js';
import { json } from '../../../test/support/mock-server.js';
import { geminiRoute, loadFixture } from './helpers.js';

const { runApp } = useHookedApps('instrumentation-google-genai', (server) => {
  server.on(
    'POST',
    geminiRoute('gemini-2.5-flash', 'generateContent'),
    json(loadFixture('generate-content-cached-thinking')),
  );
});

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
