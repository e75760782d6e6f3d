/**
 * A failing stream's `next()` promise is an unhandled rejection exactly when
 * it is one without instrumentation. Runs the built package in child
 * processes: the test runner itself fails on unhandled rejections.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../../../node/test/support/build.js';

const NODE = fileURLToPath(new URL('../../../../node_modules/.bin/node', import.meta.url));
const PROBE = fileURLToPath(new URL('./probes/stream-rejection.mjs', import.meta.url));

beforeAll(() => ensureBuilt('core'), 180_000);

async function unhandledRejections(mode: string, variant: string): Promise<number> {
  const { stdout } = await promisify(execFile)(NODE, [PROBE, mode, variant], { timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!).unhandled;
}

it.each([
  ['a next() promise the application drops', 'dropped', 1],
  ['a next() promise the application handles', 'handled', 0],
])('%s: as many unhandled rejections as without instrumentation', async (_, mode, expected) => {
  const bare = await unhandledRejections(mode, 'bare');
  expect(bare).toBe(expected);
  expect(await unhandledRejections(mode, 'instrumented')).toBe(bare);
});
