/**
 * The unhandled-rejection parity every instrumentation package keeps: a failed
 * request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise. Runs the package's
 * probe (`test/hooks/unhandled*.mjs`, built on rejection-probe.mjs) with the
 * built package in child processes, bare then instrumented: the test runner
 * itself fails on unhandled rejections.
 */

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { runRejectionProbe } from './hooked-app.js';
import { type MockServer, startMockServer } from './mock-server.js';

/** A test: its title, the probe's mode, and the unhandled / later handled rejections a bare run sees. */
export type RejectionCase = [title: string, mode: string, unhandled: number, handledLater: number];

export interface RejectionParityOptions {
  /** The package's folder name under packages/, e.g. `instrumentation-groq`; built (with core) first. */
  packageName: string;
  /** The probe, relative to the package. */
  probe?: string;
  /** Scripts the failing server the probe's requests go to. */
  respond: (server: MockServer) => void;
  cases: RejectionCase[];
  /** The class of the first unhandled reason of a bare run, checked where there is one. */
  reason?: string;
  /** Per test, for SDKs whose many ES modules take long to load twice on a loaded machine. */
  timeoutMs?: number;
}

/**
 * The cases of a probe built on `probeUnhandledRejections`: a request (and a stream request) nobody
 * asks the result of, an awaited one, then(ok, err), the SDK's own ways of asking (`sdkWays`, e.g.
 * `['asResponse()', 'raw', 0, 0]`), and a result asked for after the rejection was reported.
 */
export function promiseCases(...sdkWays: RejectionCase[]): RejectionCase[] {
  return [
    ['a request nobody asks the result of', 'forget', 1, 0],
    ['a stream request nobody asks the result of', 'stream', 1, 0],
    ['an awaited request', 'await', 0, 0],
    ['then(ok, err)', 'then', 0, 0],
    ...sdkWays,
    ['a result asked for after the rejection was reported', 'late', 1, 1],
  ];
}

/** The describe block 'unhandled rejections, as without instrumentation', one test per case. */
export function describeUnhandledRejectionParity({
  packageName,
  probe = './test/hooks/unhandled.mjs',
  respond,
  cases,
  reason,
  timeoutMs,
}: RejectionParityOptions): void {
  describe('unhandled rejections, as without instrumentation', () => {
    const packageDir = fileURLToPath(new URL(`../../packages/${packageName}/`, import.meta.url));
    let failing: MockServer;

    beforeAll(async () => {
      ensureBuilt('core', packageName);
      failing = await startMockServer();
      respond(failing);
    }, 180_000);
    afterAll(() => failing?.close());

    const rejections = (mode: string, instrumented: boolean) =>
      runRejectionProbe(packageDir, probe, mode, instrumented, failing.url);

    it.each(cases)(
      '%s',
      async (_, mode, unhandled, handledLater) => {
        const bare = await rejections(mode, false);
        expect(bare).toMatchObject({ unhandled, handledLater });
        if (reason !== undefined && unhandled) expect(bare.reason).toBe(reason);
        expect(await rejections(mode, true)).toEqual(bare);
      },
      timeoutMs,
    );
  });
}
