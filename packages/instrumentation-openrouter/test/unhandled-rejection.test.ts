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
  ensureBuilt('core', 'instrumentation-openrouter');
  server = await startMockServer();
  server.on(
    'POST',
    '/api/v1/chat/completions',
    httpError(400, { error: { code: 400, message: 'bad request' } }),
  );
}, 180_000);
afterAll(() => server?.close());

describe('unhandled rejections, as without instrumentation', () => {
  const rejections = (mode: string, instrumented: boolean) =>
    runRejectionProbe(packageDir, './test/hooks/unhandled.mjs', mode, instrumented, server.url);

  it.each([
    ['a request nobody asks the result of', 'forget', 1, 0],
    ['a stream request nobody asks the result of', 'stream', 1, 0],
    ['an awaited request', 'await', 0, 0],
    ['then(ok, err)', 'then', 0, 0],
    ['a result asked for after the rejection was reported', 'late', 1, 1],
  ])(
    '%s',
    async (_, mode, unhandled, handledLater) => {
      const bare = await rejections(mode, false);
      expect(bare).toMatchObject({ unhandled, handledLater });
      if (unhandled) expect(bare.reason).toBe('BadRequestResponseError');
      expect(await rejections(mode, true)).toEqual(bare);
      // Two processes that each load the SDK's ~1,000 ES modules (~10 s apiece on a loaded machine).
    },
    90_000,
  );
});
