import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

/**
 * A cross-process lock: `mkdir` is atomic, and the owner's pid inside lets a
 * waiter recognise a lock left behind by a run that was killed mid-build
 * (otherwise the next run would wait out the whole deadline).
 */
export function withLock(path: string, fn: () => void, timeoutMs = 180_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, OWNER_FILE), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (removeIfStale(path)) continue;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${path} (held by pid ${lockOwner(path)})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

const OWNER_FILE = 'pid';
/** How long a lock may exist without an owner pid (the instant between `mkdir` and writing it). */
const OWNERLESS_GRACE_MS = 10_000;

function lockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(path, OWNER_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock at `path` if its owner is gone; `true` when the caller
 * should try to take the lock again. The lock is first renamed aside, which
 * only one of several waiters can do; if what was renamed turns out to be a
 * newer, live lock (taken between our check and the rename), it is put back.
 */
function removeIfStale(path: string): boolean {
  const owner = lockOwner(path);
  if (owner === undefined) {
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      return true; // released meanwhile
    }
    if (ageMs < OWNERLESS_GRACE_MS) return false;
  } else if (isAlive(owner)) {
    return false;
  }
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // another waiter moved it first
  }
  const moved = lockOwner(aside);
  if (moved !== owner && moved !== undefined && isAlive(moved)) {
    try {
      renameSync(aside, path);
      return false;
    } catch {
      // The path was taken again meanwhile: the live owner's lock is lost, which only costs a duplicate build.
    }
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}
