/**
 * Patching without module hooks, for bundlers and edge runtimes (Next.js)
 * where `require`/`import` cannot be intercepted. Free of
 * `@opentelemetry/instrumentation`; spans and metrics go to the global
 * tracer and meter providers.
 */

import { createGenAIRecorder, ENV, envFlag, type GenAIRecorder, resolveCaptureContent } from '@aicost/core';
import { metrics, trace } from '@opentelemetry/api';
import { AICOST_WRAPPED, findOpenAIClass, patchTargets, wrapMethod } from './patch.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export interface InstrumentOptions {
  /** As `OpenAIInstrumentationConfig.captureMessageContent`. */
  captureMessageContent?: boolean;
  /** As `OpenAIInstrumentationConfig.streamUsage`. */
  streamUsage?: boolean;
}

/**
 * Instruments the `openai` SDK given its module (`import * as openai from 'openai'`)
 * or client class (`OpenAI`, `AzureOpenAI`): every client of that SDK copy is
 * covered, including clients created before the call. Returns a function that
 * removes the instrumentation. Instrumenting twice is harmless.
 *
 * ```ts
 * import OpenAI from 'openai';
 * import { instrument } from '@aicost/instrumentation-openai/manual';
 * instrument(OpenAI);
 * ```
 */
export function instrument(moduleOrClientClass: unknown, options: InstrumentOptions = {}): () => void {
  const OpenAI = findOpenAIClass(moduleOrClientClass);
  if (!OpenAI) throw new TypeError('instrument() expects the openai module or its OpenAI client class');

  let recorder: GenAIRecorder | undefined;
  const streamUsage = options.streamUsage ?? envFlag(ENV.OPENAI_STREAM_USAGE) ?? false;
  const settings = {
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
  for (const target of patchTargets(OpenAI)) {
    const original = target.prototype[target.method];
    if (original[AICOST_WRAPPED] || original.__wrapped) continue;
    target.prototype[target.method] = wrapMethod(target, settings)(original);
    undo.push(() => {
      target.prototype[target.method] = original;
    });
  }
  return () => {
    for (const restore of undo.splice(0)) restore();
  };
}
