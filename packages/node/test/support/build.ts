import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const NODE_BIN = join(repoRoot, 'node_modules/.bin/node');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Child-process tests run the built package. `pnpm test` builds first; a
 * direct vitest run rebuilds a package whose sources are newer than its dist.
 */
export function ensureBuilt(...packages: string[]): void {
  for (const name of packages) {
    const dir = join(repoRoot, 'packages', name);
    const marker = join(dir, 'dist/index.js');
    if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(dir, 'src'))) continue;
    execFileSync(NODE_BIN, [join(repoRoot, 'node_modules/tsup/dist/cli-default.js')], {
      cwd: dir,
      stdio: 'pipe',
    });
  }
}
