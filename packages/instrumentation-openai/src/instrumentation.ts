import { createGenAIRecorder, ENV, envFlag, type GenAIRecorder, resolveCaptureContent } from '@aicost/core';
import type { TracerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import { findOpenAIClass, patchTargets, type WrapSettings, wrapMethod } from './patch.js';
import type { OpenAIInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version.js';

/**
 * OpenTelemetry instrumentation for the `openai` SDK (v6 and v7, CJS and ESM):
 * one GenAI CLIENT span per call of chat completions, the Responses API,
 * legacy completions, embeddings, image generation and audio, with the token
 * ledger, its exact cost and the GenAI metrics.
 *
 * ```ts
 * registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
 * ```
 */
export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  // `declare`: InstrumentationBase calls the overridden hooks below from its
  // constructor, before class fields would be initialised.
  declare private cachedRecorder: GenAIRecorder | undefined;
  declare private cachedStreamUsage: boolean | undefined;
  private readonly settings: WrapSettings = {
    enabled: () => this.isEnabled(),
    recorder: () => this.recorder(),
    streamUsage: () =>
      (this.cachedStreamUsage ??= this.getConfig().streamUsage ?? envFlag(ENV.OPENAI_STREAM_USAGE) ?? false),
  };

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        SUPPORTED_VERSIONS,
        (moduleExports) => {
          this.patch(moduleExports);
          return moduleExports;
        },
        (moduleExports) => {
          if (moduleExports) this.unpatch(moduleExports);
        },
      ),
    ];
  }

  override setConfig(config: OpenAIInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.cachedRecorder = undefined;
    this.cachedStreamUsage = undefined;
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.cachedRecorder = undefined;
  }

  protected override _updateMetricInstruments(): void {
    this.cachedRecorder = undefined;
  }

  private recorder(): GenAIRecorder {
    this.cachedRecorder ??= createGenAIRecorder({
      tracer: this.tracer,
      meter: this.meter,
      instrumentationName: PACKAGE_NAME,
      captureContent: resolveCaptureContent(this.getConfig().captureMessageContent),
    });
    return this.cachedRecorder;
  }

  private patch(moduleExports: unknown): void {
    const OpenAI = findOpenAIClass(moduleExports);
    if (!OpenAI) {
      this._diag.warn('openai module without an OpenAI client class; not instrumented');
      return;
    }
    for (const target of patchTargets(OpenAI)) {
      if (isWrapped(target.prototype[target.method])) this._unwrap(target.prototype, target.method);
      this._wrap(target.prototype, target.method, wrapMethod(target, this.settings));
    }
  }

  private unpatch(moduleExports: unknown): void {
    const OpenAI = findOpenAIClass(moduleExports);
    for (const target of patchTargets(OpenAI)) {
      if (isWrapped(target.prototype[target.method])) this._unwrap(target.prototype, target.method);
    }
  }
}
