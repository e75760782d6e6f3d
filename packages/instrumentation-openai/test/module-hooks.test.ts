/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS) the real `openai`.
 * Runs the built package (dist), as users get it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHookedApp } from '../../../test/support/hooked-app.js';
import { httpError, json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { fixture } from './setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const node = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const tsup = fileURLToPath(new URL('../../../node_modules/.bin/tsup', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  // `pnpm test` builds first; rebuilding here (tsup empties dist/) would pull the package from under
  // files that run beside this one.
  if (!existsSync(`${packageDir}dist/index.js`)) {
    execFileSync(tsup, [], { cwd: packageDir, stdio: 'ignore', timeout: 120_000 });
  }
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
  server.on('POST', '/v2/chat/completions', httpError(400));
}, 150_000);
afterAll(() => server?.close());

function runApp(app: string) {
  return runHookedApp<any>(packageDir, app, { MOCK_URL: `${server.url}/v1` });
}

describe('module hooks', () => {
  it.each([
    ['ESM import', './test/hooks/app.mjs'],
    ['CJS require', './test/hooks/app.cjs'],
  ])('%s of openai is instrumented', async (_, app) => {
    const spans = await runApp(app);
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('chat gpt-4o-mini');
    expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(spans[0].attributes['aicost.cost.status']).toBeDefined();
  });
});

describe('unhandled rejections, as without instrumentation', () => {
  /** Runs test/hooks/unhandled.mjs against a 400, bare or with the instrumentation registered. */
  async function run(mode: string, instrumented: boolean) {
    const { stdout } = await promisify(execFile)(
      node,
      [
        ...(instrumented ? ['--import', './test/hooks/register.mjs'] : []),
        './test/hooks/unhandled.mjs',
        mode,
      ],
      { cwd: packageDir, env: { ...process.env, MOCK_URL: `${server.url}/v2` }, timeout: 30_000 },
    );
    const lines = stdout.trim().split('\n');
    return { unhandled: JSON.parse(lines[0]!).unhandled, spans: instrumented ? JSON.parse(lines[1]!) : [] };
  }

  it.each([
    ['a request nobody asks the result of', 'forget', 1],
    ['an awaited request', 'await', 0],
    ['asResponse()', 'raw', 0],
    ['withResponse()', 'with', 0],
  ])('%s: the same count of unhandled rejections, and one failed span', async (_, mode, expected) => {
    const bare = await run(mode, false);
    const instrumented = await run(mode, true);
    expect(bare.unhandled).toBe(expected);
    expect(instrumented.unhandled).toBe(bare.unhandled);
    expect(instrumented.spans).toHaveLength(1);
    expect(instrumented.spans[0].attributes['error.type']).toBeDefined();
  });
});
