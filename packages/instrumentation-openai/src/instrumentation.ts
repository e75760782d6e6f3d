import { GenAIInstrumentationBase } from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import {
  configuredStreamUsage,
  findOpenAIClass,
  patchTargets,
  type WrapSettings,
  wrapMethod,
} from './patch.js';
import type { OpenAIInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The `openai` majors this instrumentation patches. */
export const SUPPORTED_VERSIONS = ['>=6 <8'];

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
    return this.sdkModuleDefinition('openai', SUPPORTED_VERSIONS);
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
      this.cachedStreamUsage = configuredStreamUsage(this.getConfig().streamUsage) ?? null;
    }
    return this.cachedStreamUsage ?? undefined;
  }

  protected patchModule(moduleExports: unknown): boolean {
    const OpenAI = findOpenAIClass(moduleExports);
    if (!OpenAI) return false;
    for (const target of patchTargets(OpenAI)) {
      this.wrapOnce(target.prototype, target.method, wrapMethod(target, this.settings()));
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
