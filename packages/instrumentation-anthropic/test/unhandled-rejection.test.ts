/**
 * A failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise. Runs the built package
 * in child processes: the test runner itself fails on unhandled rejections.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpError, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt, NODE_BIN } from '../../node/test/support/build.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-anthropic');
  server = await startMockServer();
  server.on('POST', '/v1/messages', httpError(400));
}, 180_000);
afterAll(() => server?.close());

async function unhandledRejections(mode: string, instrumented: boolean): Promise<number> {
  const { stdout } = await promisify(execFile)(
    NODE_BIN,
    ['./test/hooks/unhandled.mjs', mode, instrumented ? 'instrumented' : 'bare'],
    { cwd: packageDir, env: { ...process.env, MOCK_URL: server.url }, timeout: 30_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!).unhandled;
}

describe('unhandled rejections, as without instrumentation', () => {
  it.each([
    ['a request nobody asks the result of', 'forget', 1],
    ['a streamed request nobody asks the result of', 'stream', 1],
    ['an awaited request', 'await', 0],
    ['asResponse()', 'raw', 0],
    ['withResponse()', 'with', 0],
  ])('%s', async (_, mode, expected) => {
    const bare = await unhandledRejections(mode, false);
    expect(bare).toBe(expected);
    expect(await unhandledRejections(mode, true)).toBe(bare);
  });
});
