/**
 * Patching without module hooks, for bundlers and edge runtimes (Next.js)
 * where `require`/`import` cannot be intercepted. Constructs no
 * `InstrumentationBase` and registers no hook; spans and metrics go to the
 * global tracer and meter providers. The main entry's `instrument()` returns
 * the `OpenAIInstrumentation` instead; both warn once and never throw.
 */

import { createGenAIRecorder, type GenAIRecorder, resolveCaptureContent, warnOnce } from '@aicost/core';
import { metrics, trace } from '@opentelemetry/api';
import {
  AICOST_WRAPPED,
  configuredStreamUsage,
  findOpenAIClass,
  patchTargets,
  type WrapSettings,
  wrapMethod,
} from './patch.js';
import type { OpenAIInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The options of `OpenAIInstrumentationConfig` that apply here: `captureMessageContent` and `streamUsage`. */
export type InstrumentOptions = Pick<OpenAIInstrumentationConfig, 'captureMessageContent' | 'streamUsage'>;

/**
 * What {@link instrument} returns: the subset of an OpenTelemetry
 * instrumentation's controls that applies to hand-made patches.
 */
export interface ManualInstrumentation {
  /** Removes the patches this call made: the SDK's methods are its own again. */
  disable(): void;
  /** Puts the patches back after `disable()`. */
  enable(): void;
  /** Whether this call's patches are in place. */
  isEnabled(): boolean;
}

/**
 * Instruments the `openai` SDK given its module (`import * as openai from 'openai'`)
 * or client class (`OpenAI`, `AzureOpenAI`): every client of that SDK copy is
 * covered, including clients created before the call. Returns a handle whose
 * `disable()` removes the instrumentation. Instrumenting twice is harmless.
 * Anything that is not the SDK is left alone with one `diag` warning: the
 * application is never thrown at.
 *
 * ```ts
 * import OpenAI from 'openai';
 * import { instrument } from '@aicost/instrumentation-openai/manual';
 * instrument(OpenAI);
 * ```
 */
export function instrument(
  moduleOrClientClass: unknown,
  options: InstrumentOptions = {},
): ManualInstrumentation {
  const OpenAI = findOpenAIClass(moduleOrClientClass);
  if (!OpenAI) {
    warnOnce(
      `${PACKAGE_NAME}: instrument`,
      `aicost: ${PACKAGE_NAME}: instrument() expects the openai module or its OpenAI client class; nothing was instrumented`,
    );
    return { disable() {}, enable() {}, isEnabled: () => false };
  }

  let recorder: GenAIRecorder | undefined;
  const streamUsage = configuredStreamUsage(options.streamUsage);
  const settings: WrapSettings = {
    enabled: () => true,
    // Created on first use, so providers registered after instrument() are used.
    recorder: () =>
      (recorder ??= createGenAIRecorder({
        tracer: trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION),
        meter: metrics.getMeter(PACKAGE_NAME, PACKAGE_VERSION),
        instrumentationName: PACKAGE_NAME,
        captureContent: resolveCaptureContent(options.captureMessageContent),
      })),
    streamUsage: () => streamUsage,
  };

  const undo: Array<() => void> = [];
  let enabled = false;
  const patch = () => {
    for (const target of patchTargets(OpenAI)) {
      const original = target.prototype[target.method];
      // Already ours (an earlier instrument() or the module hook): one span per call.
      if (original[AICOST_WRAPPED] || original.__wrapped) continue;
      target.prototype[target.method] = wrapMethod(target, settings)(original);
      undo.push(() => {
        target.prototype[target.method] = original;
      });
    }
    enabled = true;
  };
  patch();
  return {
    disable() {
      for (const restore of undo.splice(0)) restore();
      enabled = false;
    },
    enable() {
      if (!enabled) patch();
    },
    isEnabled: () => enabled,
  };
}
