/**
 * Where a running `aicost up` announces itself: a small JSON file in the data
 * directory it owns, so `report`, `sql` and `migrate` on the same directory go
 * through its ClickHouse HTTP interface instead of opening the store (the
 * engine allows one process per directory).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = './.aicost';
const STATE_FILE = 'aicost-up.json';

export interface RunningCollector {
  pid: number;
  host: string;
  otlpPort: number;
  clickhousePort: number;
  /** The web UI's port; absent when started with --no-ui. */
  uiPort?: number;
  /**
   * The web UI's own secret, made at each start (never the SQL password): `aicost ui` makes
   * one-time login codes from it. This file is written with mode 0600 for it.
   */
  uiSecret?: string;
  writable: boolean;
  dataDir: string;
}

export function writeRunningState(dataDir: string, state: RunningCollector): void {
  const file = join(resolve(dataDir), STATE_FILE);
  // A new file, so that a stale one's wider mode never holds the UI secret even for an instant.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export function clearRunningState(dataDir: string): void {
  rmSync(join(resolve(dataDir), STATE_FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The collector that owns `dataDir`, if one is running (a stale file from a killed one is ignored). */
export function findRunningCollector(dataDir: string): RunningCollector | undefined {
  const file = join(resolve(dataDir), STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as RunningCollector;
    return state.pid !== process.pid && alive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}
