/**
 * Runs an instrumentation package's test app the way applications load the
 * instrumentation: `node --import ./test/hooks/register.mjs <app>` in the
 * package directory, with the project's Node 24 and `MOCK_URL` pointing the
 * app's SDK at a loopback mock server.
 *
 * The package's `register.mjs` keeps spans in memory and defines
 * `globalThis.printSpans()`, which the app calls last: the spans arrive as JSON
 * on the last line of stdout.
 */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { createMockServer, type MockServer } from './mock-server.js';

/** The project's Node 24 (the system node is older). */
const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));

/** A finished span as `printSpans()` prints it. */
export interface HookedAppSpan {
  scope?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * Runs `app` (a path relative to `packageDir`) and returns the spans it printed. `timeoutMs`
 * (default 30 s) is for SDKs made of very many ES modules, each of which the loader hook sees.
 */
export async function runHookedApp<Span = HookedAppSpan>(
  packageDir: string,
  app: string,
  env: Record<string, string>,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<Span[]> {
  const { stdout } = await promisify(execFile)(NODE, ['--import', './test/hooks/register.mjs', app], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    timeout: timeoutMs,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/**
 * A package's hooked-app tests (`packageName`: its folder under packages/, built with core in
 * `beforeAll`): the mock server the apps call (scripted by `respond` or by the tests), closed
 * after them, and `runApp(app, env)`, which runs one app against it and returns its spans.
 */
export function useHookedApps(
  packageName: string,
  respond: (server: MockServer) => void = () => {},
): {
  server: MockServer;
  runApp(
    app: string,
    env?: Record<string, string>,
    options?: { timeoutMs?: number },
  ): Promise<Required<HookedAppSpan>[]>;
} {
  const packageDir = fileURLToPath(new URL(`../../packages/${packageName}/`, import.meta.url));
  const server = createMockServer();
  beforeAll(async () => {
    ensureBuilt('core', packageName);
    await server.listen();
    respond(server);
  }, 180_000);
  afterAll(() => server.close());
  return {
    server,
    runApp: (app, env = {}, options = {}) =>
      runHookedApp<Required<HookedAppSpan>>(packageDir, app, { MOCK_URL: server.url, ...env }, options),
  };
}

/**
 * Runs a package's unhandled-rejection probe (`test/hooks/unhandled*.mjs <mode> bare|instrumented`)
 * against `mockUrl` and returns what it printed on its last stdout line: the counts of
 * `unhandledRejection`/`rejectionHandled` events and the error class, for comparing bare and
 * instrumented runs of the same mode.
 */
export async function runRejectionProbe<
  Result = { unhandled: number; handledLater?: number; reason?: string },
>(packageDir: string, probe: string, mode: string, instrumented: boolean, mockUrl: string): Promise<Result> {
  const { stdout } = await promisify(execFile)(NODE, [probe, mode, instrumented ? 'instrumented' : 'bare'], {
    cwd: packageDir,
    env: { ...process.env, MOCK_URL: mockUrl },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
