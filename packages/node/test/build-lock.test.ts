import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_BIN, withLock } from './support/build.js';

const directory = mkdtempSync(join(tmpdir(), 'aicost-build-lock-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function lockHeldBy(name: string, pid: number): string {
  const path = join(directory, name);
  mkdirSync(path);
  writeFileSync(join(path, 'pid'), String(pid));
  return path;
}

describe('the build lock of child-process tests', () => {
  it('takes over a lock left by a process that died, without waiting', () => {
    const dead = spawnSync(NODE_BIN, ['-e', '0']).pid;
    expect(dead).toBeGreaterThan(0);
    const path = lockHeldBy('dead-owner', dead as number);
    let ran = false;
    const started = Date.now();
    withLock(path, () => (ran = true), 5_000);
    expect(ran).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits for a live owner', async () => {
    const owner = spawn(NODE_BIN, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
    try {
      const path = lockHeldBy('live-owner', owner.pid as number);
      let ran = false;
      expect(() => withLock(path, () => (ran = true), 600)).toThrow(/timed out/);
      expect(ran).toBe(false);
    } finally {
      owner.kill();
    }
  });
});
