import { PROVIDER_REGISTRY, type RegisteredProvider } from '@aicost/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { applicationCanResolve, isModuleNotFound, type PackageLoader, requireFromHere } from './load.js';
import { describeError, warnOnce } from './log.js';

/** One aicost instrumentation package as the provider registry describes it. */
export type AicostInstrumentationEntry = Extract<
  RegisteredProvider,
  { instrumentation: object }
>['instrumentation'];

/**
 * Every aicost instrumentation package, the class it is expected to export, and the provider
 * SDKs it patches (loaded only when the application can resolve one of them): from the
 * provider registry.
 */
export const AICOST_INSTRUMENTATIONS: readonly AicostInstrumentationEntry[] = PROVIDER_REGISTRY.flatMap(
  (record): AicostInstrumentationEntry[] => ('instrumentation' in record ? [record.instrumentation] : []),
);

/** Decides whether an instrumentation is worth loading: by default, when the application can load its SDK. */
export type SdkPresence = (entry: AicostInstrumentationEntry) => boolean;

const sdkResolvable: SdkPresence = (entry) => entry.patches.some(applicationCanResolve);

export type AicostInstrumentationName = (typeof AICOST_INSTRUMENTATIONS)[number]['name'];

type InstrumentationClass = new (config?: Record<string, unknown>) => Instrumentation;

/**
 * Instantiates every installed aicost instrumentation that is not disabled and
 * whose provider SDK the application can load (`present`; the others would
 * only cost start-up time). A package that is absent is skipped with a debug
 * line (`@aicost/node` lists them as optional peer dependencies); one whose
 * export is missing or whose constructor throws is skipped with one log line.
 * Instrumentations start disabled here: the SDK enables them on start.
 */
export function loadAicostInstrumentations(
  disabled: readonly string[],
  config: Partial<Record<AicostInstrumentationName, Record<string, unknown>>> = {},
  load: PackageLoader = requireFromHere,
  present: SdkPresence = sdkResolvable,
): Instrumentation[] {
  const loaded: Instrumentation[] = [];
  for (const entry of AICOST_INSTRUMENTATIONS) {
    const { name, packageName, exportName } = entry;
    if (disabled.includes(name) || !present(entry)) continue;
    let exported: unknown;
    try {
      exported = (load(packageName) as Record<string, unknown>)[exportName];
    } catch (error) {
      if (isModuleNotFound(error, packageName)) {
        warnOnce(
          `absent-${name}`,
          `${entry.patches.join(' / ')} is installed but ${packageName} is not, so its calls are not priced (npm install ${packageName})`,
        );
      } else warnOnce(`load-${name}`, `skipped ${packageName}: failed to load (${describeError(error)})`);
      continue;
    }
    if (typeof exported !== 'function') {
      warnOnce(`load-${name}`, `skipped ${packageName}: it does not export ${exportName}`);
      continue;
    }
    try {
      loaded.push(new (exported as InstrumentationClass)({ enabled: false, ...config[name] }));
    } catch (error) {
      warnOnce(`load-${name}`, `skipped ${packageName}: ${exportName} threw (${describeError(error)})`);
    }
  }
  return loaded;
}

/** The instrumentation packages `register()` would load (not disabled, their SDK resolvable). */
export function wantedInstrumentationPackages(
  disabled: readonly string[],
  present: SdkPresence = sdkResolvable,
): string[] {
  return AICOST_INSTRUMENTATIONS.filter((entry) => !disabled.includes(entry.name) && present(entry)).map(
    (entry) => entry.packageName,
  );
}

/**
 * Provider SDKs the application loaded before their instrumentation was
 * enabled: module hooks patch a module when it is loaded, so those are never
 * instrumented. Seen through `require`'s cache (CommonJS, and ES modules that
 * load an SDK's CommonJS build); an SDK imported as an ES module before
 * `register()` leaves no trace to read.
 */
function sdksLoadedBefore(instrumentations: readonly Instrumentation[]): string[] {
  const enabled = new Set(instrumentations.map((instrumentation) => instrumentation.instrumentationName));
  const loadedFiles = Object.keys(requireFromHere.cache);
  return AICOST_INSTRUMENTATIONS.filter((entry) => enabled.has(entry.packageName)).flatMap((entry) =>
    entry.patches.filter((sdk) => loadedFiles.some((file) => file.includes(`/node_modules/${sdk}/`))),
  );
}

export function warnSdksLoadedBefore(instrumentations: readonly Instrumentation[]): void {
  for (const sdk of sdksLoadedBefore(instrumentations)) {
    warnOnce(
      `loaded-before-${sdk}`,
      `${sdk} was loaded before register(), so its calls are not instrumented. Start the app with ` +
        `node --import @aicost/node/register (ESM) or node -r @aicost/node/register (CommonJS), or call register() before loading ${sdk}`,
    );
  }
}
