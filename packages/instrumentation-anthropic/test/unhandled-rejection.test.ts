/**
 * A failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise. Runs the built package
 * in child processes: the test runner itself fails on unhandled rejections.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRejectionProbe } from '../../../test/support/hooked-app.js';
import { httpError, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt } from '../../node/test/support/build.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let server: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-anthropic');
  server = await startMockServer();
  server.on('POST', '/v1/messages', httpError(400));
}, 180_000);
afterAll(() => server?.close());

async function unhandledRejections(mode: string, instrumented: boolean): Promise<number> {
  const probe = await runRejectionProbe(
    packageDir,
    './test/hooks/unhandled.mjs',
    mode,
    instrumented,
    server.url,
  );
  return probe.unhandled;
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
