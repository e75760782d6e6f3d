/**
 * The instrumentation as applications load it: `node --import` a file that
 * registers it, then `import` (ESM) or `require` (CJS) the real `openai`.
 * Runs the built package (dist), as users get it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { fixture } from './setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const node = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const tsup = fileURLToPath(new URL('../../../node_modules/.bin/tsup', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  execFileSync(tsup, [], { cwd: packageDir, stdio: 'ignore', timeout: 120_000 });
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
}, 150_000);
afterAll(() => server?.close());

async function runApp(app: string) {
  const { stdout } = await promisify(execFile)(node, ['--import', './test/hooks/register.mjs', app], {
    cwd: packageDir,
    env: { ...process.env, MOCK_URL: `${server.url}/v1` },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
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
