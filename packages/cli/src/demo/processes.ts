/**
 * The child processes of `aicost demo`: the local collector (`aicost up` of
 * this same CLI) and the sample application.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface RunningCollector {
  otlpUrl: string;
  clickhouseUrl: string;
  /** SIGTERM (drain, then exit) and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

/** This CLI's own entry point, to run `aicost up` as a child (the engine allows one store per process). */
function cliBin(): string {
  const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
  if (!existsSync(bin)) throw new Error(`cannot find the aicost binary next to ${bin} (is the CLI built?)`);
  return bin;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * `writable`: the demo loads its revenue table through the collector's ClickHouse HTTP
 * interface (loopback, a random port, for the demo's lifetime) instead of stopping it to
 * open the store itself.
 */
export async function startCollector(
  dataDir: string,
  timeoutMs = 60_000,
  opts: { writable?: boolean } = {},
): Promise<RunningCollector> {
  const child = spawn(
    process.execPath,
    [
      cliBin(),
      'up',
      '--port',
      '0',
      '--clickhouse-port',
      '0',
      '--data-dir',
      dataDir,
      '--quiet',
      ...(opts.writable ? ['--writable'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the local collector did not start within ${timeoutMs / 1000}s\n${stderr}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = /ready otlp=(\S+) clickhouse=(\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local collector exited with code ${code} before it was ready\n${stderr.trim()}`));
    });
  });
  return {
    otlpUrl: ready[1] as string,
    clickhouseUrl: ready[2] as string,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited(child);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface AppRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The application's stderr (shown when it fails). */
  stderr: string;
  /** The last `[done/total]` it printed. */
  done: number;
  total: number;
}

const PROGRESS_LINE = /^\[(\d+)\/(\d+)\]\s*(.*)$/;

/** Runs the app to its end; `onProgress` gets each `[done/total] detail` line it prints. */
export function runApp(
  command: { args: string[]; cwd: string; env: NodeJS.ProcessEnv },
  onProgress: (done: number, total: number, detail: string) => void,
  timeoutMs = 120_000,
): { result: Promise<AppRun>; kill(): void } {
  const child = spawn(process.execPath, command.args, {
    cwd: command.cwd,
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let done = 0;
  let total = 0;
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = PROGRESS_LINE.exec(line);
      if (!match) return;
      done = Number(match[1]);
      total = Number(match[2]);
      onProgress(done, total, match[3] ?? '');
    });
  }
  const timer = setTimeout(() => {
    stderr += `\n(killed after ${timeoutMs / 1000}s)`;
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = new Promise<AppRun>((resolve) => {
    child.once('error', (err) => {
      stderr += String(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, done, total });
    });
  });
  return {
    result,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
