import type * as GenAIPrices from '@pydantic/genai-prices';

/**
 * The catalogue (`@pydantic/genai-prices`: every provider's models and price
 * history, most of the package's weight) is loaded on the first price lookup,
 * not when `@aicost/core` is imported: a process that never prices a call
 * never holds it (about 20 MB of heap and 60 ms of start-up on Node 24).
 * Synchronously, because pricing runs inside a span's end.
 *
 * On Node that is `require` from this package, resolved while the module is
 * evaluated (tsup shims `import.meta.url` in the CommonJS build). A runtime
 * without Node's built-ins (an edge runtime) cannot load synchronously later:
 * there the catalogue is imported right away, in the background, and is ready
 * before any request is priced.
 */
type Catalogue = typeof GenAIPrices;

const requireFromHere = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => typeof import('node:module') | undefined } }
).process
  ?.getBuiltinModule?.('node:module')
  ?.createRequire(import.meta.url);

let loaded: Catalogue | undefined;
if (requireFromHere === undefined) {
  void import('@pydantic/genai-prices').then((catalogue) => {
    loaded ??= catalogue;
  });
}

export function catalogueData(): Catalogue {
  if (loaded === undefined) {
    if (requireFromHere === undefined) throw new Error('the price catalogue is still loading');
    loaded = requireFromHere('@pydantic/genai-prices') as Catalogue;
  }
  return loaded;
}

/** `require` of an optional part (yaml for an overrides file), where the runtime has one. */
export function loadOnDemand(packageName: string): unknown {
  if (requireFromHere === undefined) throw new Error(`${packageName} cannot be loaded in this runtime`);
  return requireFromHere(packageName);
}
