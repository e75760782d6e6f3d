import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BUNDLED_PACKAGES } from './bundled-sdk.js';
import { describeError } from './log.js';

/**
 * Synchronous loading on demand: `register()` is synchronous (it must hook
 * modules before the application requires them). The SDK parts bundled into
 * this package are handed out from the bundle; optional packages outside it
 * (instrumentations, gRPC exporters) are loaded only when needed. tsup shims
 * `import.meta.url` in the CommonJS build.
 */
const requireOutsideBundle = createRequire(import.meta.url);

/** `require` from this package, with the SDK parts bundled into it (`bundled-sdk.ts`) served from the bundle. */
export const requireFromHere: PackageLoader & { cache: NodeJS.Require['cache'] } = Object.assign(
  (packageName: string) =>
    BUNDLED_PACKAGES.has(packageName) ? BUNDLED_PACKAGES.get(packageName) : requireOutsideBundle(packageName),
  { cache: requireOutsideBundle.cache },
);

export function isModuleNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  // require() says MODULE_NOT_FOUND, import() ERR_MODULE_NOT_FOUND.
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    describeError(error).includes(packageName)
  );
}

/**
 * Where the application resolves packages from: its working directory and
 * the directory of its main script (they differ for `node /srv/app/main.js`
 * started elsewhere).
 */
function applicationRequires(): NodeJS.Require[] {
  const bases = [join(process.cwd(), 'noop.js')];
  const main = process.argv[1];
  if (main) bases.push(join(dirname(main), 'noop.js'));
  return bases.map((base) => createRequire(base));
}

/**
 * Whether the application can load `packageName`. A package whose `exports`
 * hides `package.json` (or offers no `require` condition) still resolves far
 * enough to say it is installed.
 */
export function applicationCanResolve(packageName: string): boolean {
  for (const resolveFrom of applicationRequires()) {
    try {
      resolveFrom.resolve(`${packageName}/package.json`);
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
    }
  }
  return false;
}

/** Loads a package synchronously, or throws like `require`. */
export type PackageLoader = (packageName: string) => unknown;

declare const module: unknown;
/** True in the CommonJS build of this package, false in the ES module build. */
const commonJSBuild = typeof module !== 'undefined';

/**
 * Loads a package later, asynchronously, in this build's module system:
 * `import()` in the ES module build (the copy the application's own imports
 * share), `require` in the CommonJS build. Two copies of the same OpenTelemetry
 * package (one ESM, one CommonJS) would cost memory and start-up time twice.
 */
export function loadLater(packageName: string): Promise<unknown> {
  if (BUNDLED_PACKAGES.has(packageName)) return Promise.resolve(BUNDLED_PACKAGES.get(packageName));
  if (commonJSBuild) return Promise.resolve().then(() => requireFromHere(packageName));
  return import(packageName);
}

/**
 * Imports `packageNames` as ES modules ahead of a synchronous `register()`,
 * and returns a loader that hands them out (rethrowing a package's import
 * error, so an absent optional package behaves as with `require`); names not
 * imported ahead are required.
 */
export async function importAhead(packageNames: readonly string[]): Promise<PackageLoader> {
  const results = new Map<string, { exports?: unknown; error?: unknown }>();
  await Promise.all(
    packageNames.map(async (packageName) => {
      if (BUNDLED_PACKAGES.has(packageName)) return;
      try {
        results.set(packageName, { exports: await import(packageName) });
      } catch (error) {
        results.set(packageName, { error });
      }
    }),
  );
  return (packageName) => {
    const result = results.get(packageName);
    if (result === undefined) return requireFromHere(packageName);
    if (result.error !== undefined) throw result.error;
    return result.exports;
  };
}

/** Whether this package can load `packageName` (an optional peer dependency, say). */
export function canResolveFromHere(packageName: string): boolean {
  if (BUNDLED_PACKAGES.has(packageName)) return true;
  try {
    requireOutsideBundle.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}
