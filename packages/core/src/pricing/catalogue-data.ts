import * as GenAIPrices from '@pydantic/genai-prices';

/**
 * The catalogue (`@pydantic/genai-prices`: every provider's models and price history, most of
 * the package's weight), reached through one function so that how it is loaded is decided in
 * one place.
 *
 * It is imported statically. Loading it on the first price lookup instead (a `require` from
 * this package) saved about 20 MB and 60 ms at start-up, but a bundled application
 * (esbuild/webpack, serverless) then has no catalogue at run time: the bundler cannot see the
 * `require`, and every call went `unpriced` (every instrumentation's instrument.test.ts
 * caught it). A lazy load that bundlers can follow is left for later (bench/README.md, start-up).
 */
type Catalogue = typeof GenAIPrices;

export function catalogueData(): Catalogue {
  return GenAIPrices;
}

const requireFromHere = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => typeof import('node:module') | undefined } }
).process
  ?.getBuiltinModule?.('node:module')
  ?.createRequire(import.meta.url);

/** `require` of an optional part (yaml for an overrides file), where the runtime has one. */
export function loadOnDemand(packageName: string): unknown {
  if (requireFromHere === undefined) throw new Error(`${packageName} cannot be loaded in this runtime`);
  return requireFromHere(packageName);
}
