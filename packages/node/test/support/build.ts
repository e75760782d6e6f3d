import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(dir, 'src'));
    if (fresh()) continue;
    // Test files run in parallel processes: one builds, the others wait for it.
    withLock(join(tmpdir(), `aicost-build-${name}.lock`), () => {
      if (fresh()) return;
      const tsup = join(repoRoot, 'node_modules/tsup/dist/cli-default.js');
      execFileSync(NODE_BIN, [tsup], { cwd: dir, stdio: 'pipe' });
    });
  }
}

function withLock(path: string, fn: () => void): void {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}
