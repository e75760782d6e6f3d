import { createRequire } from 'node:module';
import { PROVIDER_REGISTRY, type RegisteredProvider } from '@aicost/core';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { describeError, warnOnce } from './log.js';

type RegistryInstrumentation = Extract<RegisteredProvider, { instrumentation: object }>['instrumentation'];

/** Every aicost instrumentation package and the class it is expected to export, from the provider registry. */
export const AICOST_INSTRUMENTATIONS: readonly RegistryInstrumentation[] = PROVIDER_REGISTRY.flatMap(
  (record): RegistryInstrumentation[] => ('instrumentation' in record ? [record.instrumentation] : []),
);

export type AicostInstrumentationName = (typeof AICOST_INSTRUMENTATIONS)[number]['name'];

type InstrumentationClass = new (config?: Record<string, unknown>) => Instrumentation;

/** Returns a package's exports synchronously, or throws like `require`. */
export type PackageLoader = (packageName: string) => unknown;

// `require` keeps loading synchronous, so instrumentations hook modules before the application requires
// them. tsup shims import.meta.url in the CommonJS build.
const requireFromHere = createRequire(import.meta.url);

function isModuleNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  // require() says MODULE_NOT_FOUND, import() ERR_MODULE_NOT_FOUND.
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    describeError(error).includes(packageName)
  );
}

/**
 * Instantiates every installed aicost instrumentation that is not disabled.
 * A package that is absent is skipped silently (it is optional); one whose
 * export is missing or whose constructor throws is skipped with one log line.
 * Instrumentations start disabled here: the SDK enables them on start.
 */
export function loadAicostInstrumentations(
  disabled: readonly string[],
  config: Partial<Record<AicostInstrumentationName, Record<string, unknown>>> = {},
  load: PackageLoader = requireFromHere,
): Instrumentation[] {
  const loaded: Instrumentation[] = [];
  for (const { name, packageName, exportName } of AICOST_INSTRUMENTATIONS) {
    if (disabled.includes(name)) continue;
    let exported: unknown;
    try {
      exported = (load(packageName) as Record<string, unknown>)[exportName];
    } catch (error) {
      if (isModuleNotFound(error, packageName)) diag.debug(`aicost: ${packageName} is not installed`);
      else warnOnce(`load-${name}`, `skipped ${packageName}: failed to load (${describeError(error)})`);
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

/**
 * Imports the instrumentation packages as ES modules ahead of a synchronous
 * `register()`, and returns a loader that hands them out (or rethrows their
 * import error, so absent packages stay silent as with `require`).
 */
export async function importAicostInstrumentations(disabled: readonly string[]): Promise<PackageLoader> {
  const results = new Map<string, { exports?: unknown; error?: unknown }>();
  await Promise.all(
    AICOST_INSTRUMENTATIONS.filter(({ name }) => !disabled.includes(name)).map(async ({ packageName }) => {
      try {
        results.set(packageName, { exports: await import(packageName) });
      } catch (error) {
        results.set(packageName, { error });
      }
    }),
  );
  return (packageName) => {
    const result = results.get(packageName);
    if (result === undefined || result.error !== undefined) throw result?.error ?? new Error(packageName);
    return result.exports;
  };
}
