/**
 * When the price catalogue (`@pydantic/genai-prices`, the heaviest thing
 * @aicost/core depends on) is loaded, in a plain Node process running the built
 * package: not when @aicost/core is imported (an application's start-up does
 * not pay for it), but synchronously on the first price lookup, so that first
 * call is priced like every other. Bundled and edge applications, where it is
 * loaded through `import()`, are covered by each instrumentation's
 * instrument.test.ts and edge.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from '../../node/test/support/build.js';

const CORE_DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const PROGRAM = `
import { registerHooks } from 'node:module';
// Every module Node loads, by import or by require, passes this hook.
const urls = [];
registerHooks({ load: (url, context, next) => (urls.push(url), next(url, context)) });
const core = await import(${JSON.stringify(CORE_DIST)});
const loaded = () => urls.some((url) => url.includes('genai-prices'));
const atImport = loaded();
const usage = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
const result = core.createPricer().priceUsage({ provider: 'openai', model: 'gpt-4o-mini', usage });
console.log(JSON.stringify({ atImport, afterLookup: loaded(), status: result.status, total: result.cost?.total.toString() }));
`;

it('is not loaded by importing @aicost/core, and is loaded synchronously by the first lookup, which is priced', () => {
  ensureBuilt('core');
  const stdout = execFileSync(NODE_BIN, ['--input-type=module', '-e', PROGRAM], { encoding: 'utf8' });
  // gpt-4o-mini: $0.15 input and $0.60 output per million tokens; 1000 x 0.15 + 100 x 0.60 = 210 micro-dollars.
  expect(JSON.parse(stdout)).toEqual({
    atImport: false,
    afterLookup: true,
    status: 'priced',
    total: '210000',
  });
});
