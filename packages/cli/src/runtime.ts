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
  writable: boolean;
  dataDir: string;
}

export function writeRunningState(dataDir: string, state: RunningCollector): void {
  writeFileSync(join(resolve(dataDir), STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
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
