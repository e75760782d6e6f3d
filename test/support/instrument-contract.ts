/**
 * The `instrument()` contract every aicost instrumentation package keeps, as
 * one parametrised suite: it returns the instrumentation (created with
 * `enabled: false`, so no hook), `disable()` removes its patches, and anything
 * that is not the SDK is warned about once through `diag` and never thrown.
 *
 * Call `describeInstrumentContract` first in its file: the warning is logged
 * once per process, so a bad argument passed earlier would already have used it.
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

export interface InstrumentContract<I extends { isEnabled(): boolean; disable(): void }> {
  packageName: string;
  instrument(sdkModule: unknown): I;
  Instrumentation: abstract new (...args: never[]) => I;
  /** The SDK module an application would pass. */
  sdkModule: unknown;
  /** A method `instrument(sdkModule)` replaces (read fresh each time). */
  patchedMethod(): unknown;
  /** Values an application might pass by mistake, besides the generic ones. */
  lookalikes?: unknown[];
}

export function describeInstrumentContract<I extends { isEnabled(): boolean; disable(): void }>(
  contract: InstrumentContract<I>,
): void {
  describe(`instrument() contract (${contract.packageName})`, () => {
    it('returns the instrumentation, with no hook registered; disable() removes its patches', () => {
      const original = contract.patchedMethod();
      const instrumentation = contract.instrument(contract.sdkModule);
      expect(instrumentation).toBeInstanceOf(contract.Instrumentation);
      expect(instrumentation.isEnabled()).toBe(false);
      expect(contract.patchedMethod()).not.toBe(original);
      instrumentation.disable();
      expect(contract.patchedMethod()).toBe(original);
    });

    it('a bad argument is warned about once through diag, never thrown, and returned unpatched', () => {
      const warnings: string[] = [];
      const ignore = () => {};
      diag.setLogger(
        {
          error: ignore,
          info: ignore,
          debug: ignore,
          verbose: ignore,
          warn: (message: string) => warnings.push(message),
        },
        { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
      );
      const original = contract.patchedMethod();
      try {
        for (const notTheSdk of [
          undefined,
          null,
          42,
          contract.packageName,
          {},
          ...(contract.lookalikes ?? []),
        ]) {
          const instrumentation = contract.instrument(notTheSdk);
          expect(instrumentation).toBeInstanceOf(contract.Instrumentation);
          instrumentation.disable();
        }
      } finally {
        diag.disable();
      }
      expect(contract.patchedMethod()).toBe(original);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(
          `^aicost: ${contract.packageName.replace('/', '\\/')}: instrument\\(\\) expects .+; nothing was instrumented$`,
        ),
      );
    });
  });
}
