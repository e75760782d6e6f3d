import { ENV, envFlag, GenAIInstrumentationBase } from '@aicost/core';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
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
export class OpenAIInstrumentation extends GenAIInstrumentationBase<OpenAIInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of openai or its OpenAI client class';
  // `declare`: InstrumentationBase calls the overridden hooks from its constructor.
  /** `null`: not configured, follow the provider registry per host. */
  declare private cachedStreamUsage: boolean | null | undefined;
  declare private wrapSettings: WrapSettings | undefined;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        SUPPORTED_VERSIONS,
        (moduleExports) => {
          if (!this.patchModule(moduleExports)) {
            this._diag.warn('openai module without an OpenAI client class; not instrumented');
          }
          return moduleExports;
        },
        (moduleExports) => {
          if (moduleExports) this.unpatchModule(moduleExports);
        },
      ),
    ];
  }

  protected override settingsChanged(): void {
    super.settingsChanged();
    this.cachedStreamUsage = undefined;
  }

  private settings(): WrapSettings {
    this.wrapSettings ??= {
      enabled: () => this.isActive(),
      recorder: () => this.recorder(),
      streamUsage: () => this.configuredStreamUsage(),
    };
    return this.wrapSettings;
  }

  /** The option, else `AICOST_OPENAI_STREAM_USAGE`, else `undefined`: follow the provider registry per host. */
  private configuredStreamUsage(): boolean | undefined {
    if (this.cachedStreamUsage === undefined) {
      this.cachedStreamUsage = this.getConfig().streamUsage ?? envFlag(ENV.OPENAI_STREAM_USAGE) ?? null;
    }
    return this.cachedStreamUsage ?? undefined;
  }

  protected patchModule(moduleExports: unknown): boolean {
    const OpenAI = findOpenAIClass(moduleExports);
    if (!OpenAI) return false;
    for (const target of patchTargets(OpenAI)) {
      if (isWrapped(target.prototype[target.method])) this._unwrap(target.prototype, target.method);
      this._wrap(target.prototype, target.method, wrapMethod(target, this.settings()));
    }
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const OpenAI = findOpenAIClass(moduleExports);
    for (const target of patchTargets(OpenAI)) {
      if (isWrapped(target.prototype[target.method])) this._unwrap(target.prototype, target.method);
    }
  }
}
