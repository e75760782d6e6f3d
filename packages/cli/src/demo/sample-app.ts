/**
 * Where the sample application is. `aicost demo` runs the repository's
 * `examples/support-app` (it needs the provider SDKs and @aicost/node, which
 * the CLI does not ship): found next to this CLI in the monorepo, or above the
 * current directory, or given with `--app`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = join('examples', 'support-app', 'src', 'main.ts');

export interface SampleApp {
  /** The file node runs. */
  entry: string;
  /** The package directory (its node_modules resolve `@aicost/node/register`). */
  cwd: string;
}

function packageDirOf(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
  return dir;
}

function upwards(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    dirs.push(dir);
    if (dirname(dir) === dir) return dirs;
  }
}

/** `undefined` when there is none to run (an installed CLI outside the repository). */
export function findSampleApp(explicit?: string): SampleApp | undefined {
  if (explicit) {
    const entry = resolve(explicit);
    return existsSync(entry) ? { entry, cwd: packageDirOf(entry) } : undefined;
  }
  // This module is bundled into packages/cli/dist/: the repository root is three levels up.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [resolve(here, '..', '..', '..'), ...upwards(process.cwd())]) {
    const entry = join(dir, ENTRY);
    if (existsSync(entry)) return { entry, cwd: packageDirOf(entry) };
  }
  return undefined;
}

/**
 * Node flags to run a TypeScript entry: type stripping is on by default from
 * Node 22.18 / 23.6; older 22.x need the flag.
 */
export function nodeFlagsFor(entry: string): string[] {
  if (!/\.[cm]?ts$/.test(entry)) return [];
  const typescript = (process.features as { typescript?: unknown }).typescript;
  return typescript ? [] : ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
}
