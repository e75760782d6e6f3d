/**
 * The catalogue (`@pydantic/genai-prices`: every provider's models and price history, most of
 * the package's weight: about 20 MB and 60 ms to load), reached through one function so that
 * how it is loaded is decided in one place. It is loaded on the first price lookup, never at
 * start-up, in whichever of two ways the runtime allows:
 *
 * - Node with `node_modules` (the package resolves from here): a synchronous `require` on the
 *   first lookup, so the first span is priced like every other.
 * - A bundled application (esbuild, webpack, serverless) or an edge runtime, where there may be
 *   no `node_modules` and no `require`: the literal `import('@pydantic/genai-prices')` below,
 *   which bundlers follow and put into the bundle. It is started as soon as this module is
 *   evaluated; inside a bundle it settles within a few microtasks, long before any provider
 *   call can return and end a span.
 *
 * Were a lookup to come first anyway, it throws `CatalogueNotLoadedError`, which the pricer
 * reports as the catalogue being unavailable: a span is never given a cost of $0.
 */
type Catalogue = typeof import('@pydantic/genai-prices');

const CATALOGUE_PACKAGE = '@pydantic/genai-prices';

let loaded: Catalogue | undefined;

/** Thrown by `catalogueData()` when the catalogue can be loaded only asynchronously and is not in yet. */
export class CatalogueNotLoadedError extends Error {
  constructor() {
    super(`the price catalogue (${CATALOGUE_PACKAGE}) is still loading`);
    this.name = 'CatalogueNotLoadedError';
  }
}

type RequireFunction = (id: string) => unknown;

const requireFromHere: (RequireFunction & { resolve(id: string): string }) | undefined = (() => {
  try {
    return (
      globalThis as {
        process?: { getBuiltinModule?: (id: string) => typeof import('node:module') | undefined };
      }
    ).process
      ?.getBuiltinModule?.('node:module')
      ?.createRequire(import.meta.url);
  } catch {
    // A bundle without a module URL (esbuild's CommonJS output leaves import.meta empty).
    return undefined;
  }
})();

function resolvesFromHere(packageName: string): boolean {
  try {
    requireFromHere?.resolve(packageName);
    return requireFromHere !== undefined;
  } catch {
    return false;
  }
}

const synchronous = resolvesFromHere(CATALOGUE_PACKAGE);

/** Settles once the catalogue is in (at once where it loads synchronously). */
export const catalogueReady: Promise<void> = synchronous
  ? Promise.resolve()
  : import('@pydantic/genai-prices').then(
      (catalogue) => {
        loaded ??= catalogue;
      },
      () => {
        // Left unloaded: lookups throw CatalogueNotLoadedError and calls are reported unpriced.
      },
    );

export function catalogueData(): Catalogue {
  if (loaded !== undefined) return loaded;
  if (!synchronous) throw new CatalogueNotLoadedError();
  loaded = requireFromHere?.(CATALOGUE_PACKAGE) as Catalogue;
  return loaded;
}

/**
 * Loads the catalogue now where that can be done synchronously (Node with `node_modules`). Called
 * when a provider SDK is patched: the application loaded it to call it, and loading the catalogue
 * there keeps that time (tens of milliseconds) out of the first call. A failure here is left to
 * the first lookup to report.
 */
export function preloadCatalogue(): void {
  if (loaded !== undefined || !synchronous) return;
  try {
    catalogueData();
  } catch {
    // Reported by the lookup that needs it.
  }
}

/** `require` of an optional part (yaml for an overrides file), where the runtime has one. */
export function loadOnDemand(packageName: string): unknown {
  if (requireFromHere === undefined) throw new Error(`${packageName} cannot be loaded in this runtime`);
  return requireFromHere(packageName);
}
