/**
 * A user's application outside this repository, made the way a user makes it:
 * the @aicost/* packages packed into tarballs (`pnpm pack`, which turns
 * `workspace:*` into versions, exactly what `pnpm publish` would upload) and
 * installed with npm from the npm registry into a fresh directory under the
 * system's temporary folder. Shared by bench/startup.mjs and the packed-install
 * test, so both measure and test the same install.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const PNPM = ['-y', 'pnpm@12.4.2'];

/** Packs `packages/<dir>` for each dir into `destination`; returns package name → tarball path. */
export async function packPackages(dirs, destination) {
  mkdirSync(destination, { recursive: true });
  const tarballs = new Map();
  for (const dir of dirs) {
    const cwd = join(repositoryRoot, 'packages', dir);
    const { name } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    const { stdout } = await run('npx', [...PNPM, 'pack', '--json', '--pack-destination', destination], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    tarballs.set(name, JSON.parse(stdout).filename);
  }
  return tarballs;
}

/**
 * Creates `dir` as an app that installs `dependencies` (spec strings for npm:
 * tarball paths or `name@version`) with npm. The @aicost/* packages the
 * tarballs depend on are pointed at their tarballs through `overrides`, so the
 * app lists only what a user would type and npm installs only what that pulls in.
 */
export async function installScratchApp(dir, { dependencies, tarballs = new Map(), files = {} }) {
  mkdirSync(dir, { recursive: true });
  // npm refuses an override of a direct dependency: the tarballs named in `dependencies` are left out.
  const overrides = Object.fromEntries(
    [...tarballs]
      .filter(([, path]) => !dependencies.includes(path))
      .map(([name, path]) => [name, `file:${path}`]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'scratch-app', private: true, type: 'module', overrides }, null, 2)}\n`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  // The project's own .npmrc does not apply out here; npm's defaults and the public registry do.
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...dependencies], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_registry: 'https://registry.npmjs.org/' },
  });
}

/** Disk usage (`du -sk`, KiB) and number of packages under `dir/node_modules` (nested copies counted). */
export async function installSize(dir) {
  const { stdout } = await run('du', ['-sk', join(dir, 'node_modules')]);
  let packages = 0;
  const countPackages = (nodeModules) => {
    let entries;
    try {
      entries = readdirSync(nodeModules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const full = join(nodeModules, entry.name);
      if (!entry.name.startsWith('@')) countPackage(full);
      else
        for (const scoped of readdirSync(full, { withFileTypes: true })) {
          if (scoped.isDirectory()) countPackage(join(full, scoped.name));
        }
    }
  };
  const countPackage = (packageDir) => {
    packages += 1;
    countPackages(join(packageDir, 'node_modules'));
  };
  countPackages(join(dir, 'node_modules'));
  return { kib: Number.parseInt(stdout, 10), packages };
}
