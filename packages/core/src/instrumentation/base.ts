import type { TracerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  type InstrumentationConfig,
  type InstrumentationModuleFile,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import { resolveCaptureContent } from './config.js';
import {
  createGenAIRecorder,
  type GenAICall,
  type GenAICallInfo,
  type GenAIContent,
  type GenAIRecorder,
} from './recorder.js';
import { runSafely, warnOnce } from './safety.js';

/** Configuration every aicost instrumentation accepts. */
export interface GenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions as the semconv opt-in attributes
   * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`).
   * Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, else off.
   */
  captureMessageContent?: boolean;
}

/**
 * What the aicost provider instrumentations share: one recorder per tracer,
 * meter and config (rebuilt when any of them changes), and patching of an SDK
 * module loaded without the `require`/`import` hooks.
 *
 * Subclasses implement `patchModule` / `unpatchModule` for their SDK and call
 * `isActive()` in their wrappers, `recorder()` to start calls.
 *
 * `manuallyInstrument(exports)` patches the given module; `disable()` removes
 * those patches as well as the hooks' ones, `enable()` puts them back. An
 * instance created with `enabled: false` registers no hook: that is what each
 * package's `instrument(sdkModule)` does.
 */
export abstract class GenAIInstrumentationBase<
  Config extends GenAIInstrumentationConfig = GenAIInstrumentationConfig,
> extends InstrumentationBase<Config> {
  // `declare`: InstrumentationBase calls the overridden hooks below from its
  // constructor, before class fields would be initialised.
  declare private cachedRecorder: GenAIRecorder | undefined;
  declare private manualModules: Set<unknown> | undefined;
  declare private manuallyPatched: boolean;

  /** Patches the SDK's exports; `false` when they are not this SDK's. Patching twice must be harmless. */
  protected abstract patchModule(moduleExports: unknown): boolean;
  /** Removes what {@link patchModule} did. */
  protected abstract unpatchModule(moduleExports: unknown): void;
  /** How the SDK's exports are named in the warning `manuallyInstrument` logs for anything else. */
  protected abstract readonly expectedExports: string;

  /**
   * Patches an SDK module loaded without the `require`/`import` hooks
   * (bundlers, serverless builds, ESM without the loader hook). Returns
   * whether `moduleExports` was recognised. Anything else is left alone and
   * warned about once per instrumentation: never thrown into the application.
   */
  manuallyInstrument(moduleExports: unknown): boolean {
    const patched = runSafely(`${this.instrumentationName}: patching by hand`, () =>
      this.patchModule(moduleExports),
    );
    if (!patched) {
      warnOnce(
        `${this.instrumentationName}: manuallyInstrument`,
        `aicost: ${this.instrumentationName}: instrument() expects ${this.expectedExports}; nothing was instrumented`,
      );
      return false;
    }
    this.manualModules ??= new Set();
    this.manualModules.add(moduleExports);
    this.manuallyPatched = true;
    return true;
  }

  /**
   * The hook definition for the SDK module `name` within `versions`: loading it
   * runs {@link patchModule}, unloading {@link unpatchModule}. `files` adds
   * hooks on files inside the package.
   */
  protected sdkModuleDefinition(
    name: string,
    versions: string[],
    files?: InstrumentationModuleFile[],
  ): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      name,
      versions,
      (moduleExports: unknown) => {
        if (!this.patchModule(moduleExports)) {
          this._diag.debug(`${name} loaded without ${this.expectedExports}; not instrumented`);
        }
        return moduleExports;
      },
      (moduleExports: unknown) => {
        if (moduleExports) this.unpatchModule(moduleExports);
      },
      files,
    );
  }

  /**
   * Wraps `target[name]` unless it is missing or already wrapped: another
   * instance (or the hooks after a manual patch) got there first, and a call
   * must make one span.
   */
  protected wrapOnce<Target extends object>(
    target: Target | undefined,
    name: string,
    wrapper: (original: (...args: any[]) => any) => (...args: any[]) => any,
  ): void {
    const methods = target as Record<string, unknown> | undefined;
    if (methods && typeof methods[name] === 'function' && !isWrapped(methods[name])) {
      this._wrap(methods, name, wrapper as any);
    }
  }

  /** Whether wrappers record: the hooks are enabled, or a module was patched by hand and not disabled since. */
  protected isActive(): boolean {
    return this.manuallyPatched === true || this.isEnabled();
  }

  override enable(): void {
    super.enable();
    if (!this.manualModules?.size) return;
    for (const moduleExports of this.manualModules) this.patchModule(moduleExports);
    this.manuallyPatched = true;
  }

  override disable(): void {
    super.disable();
    this.manuallyPatched = false;
    for (const moduleExports of this.manualModules ?? []) this.unpatchModule(moduleExports);
  }

  /**
   * Starts the span of one SDK call, or returns undefined, and the SDK method
   * then runs untouched: instrumentation off, a request `describe` cannot read
   * (it returns undefined), or a failure of ours. `inputContent` is asked only
   * when content capture is on. Continue with `runCall` (or
   * `observeAPIPromise` for a Stainless SDK).
   */
  protected startCall(
    describe: () => GenAICallInfo | undefined,
    inputContent?: () => GenAIContent,
  ): GenAICall | undefined {
    if (!this.isActive()) return undefined;
    const info = runSafely(`${this.instrumentationName}: reading a request`, describe);
    if (!info) return undefined;
    return runSafely(`${this.instrumentationName}: starting a span`, () => {
      const call = this.recorder().start(info);
      if (inputContent && call.captureContent) {
        runSafely(`${this.instrumentationName}: recording request content`, () =>
          call.recordContent(inputContent()),
        );
      }
      return call;
    });
  }

  /** The recorder for the current tracer, meter and config, built on first use. */
  protected recorder(): GenAIRecorder {
    this.cachedRecorder ??= createGenAIRecorder({
      tracer: this.tracer,
      meter: this.meter,
      instrumentationName: this.instrumentationName,
      captureContent: resolveCaptureContent(this.getConfig().captureMessageContent),
    });
    return this.cachedRecorder;
  }

  /** Called when the config, tracer or meter changed: drop whatever was derived from them. */
  protected settingsChanged(): void {
    this.cachedRecorder = undefined;
  }

  override setConfig(config: Config = {} as Config): void {
    super.setConfig(config);
    this.settingsChanged();
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.settingsChanged();
  }

  /** Called by InstrumentationBase whenever the meter changes. */
  protected override _updateMetricInstruments(): void {
    this.settingsChanged();
  }
}

/**
 * What each package's `instrument(sdkModule, config)` does: creates the
 * instrumentation with `enabled: false` (no `require`/`import` hook is wanted,
 * the module is patched directly) and patches the module given. Anything that
 * is not the SDK is warned about once and left alone: it never throws.
 */
export function instrumentModule<
  Config extends GenAIInstrumentationConfig,
  Instrumentation extends GenAIInstrumentationBase<Config>,
>(
  InstrumentationClass: new (config: Config) => Instrumentation,
  sdkModule: unknown,
  config: Config,
): Instrumentation {
  const instrumentation = new InstrumentationClass({ ...config, enabled: false });
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
