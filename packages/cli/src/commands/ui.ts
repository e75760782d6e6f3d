/**
 * `aicost ui`: prints the web UI's address of the `aicost up` running on --data-dir, and
 * with --open hands it to the desktop's browser.
 */
import { spawn } from 'node:child_process';
import { flag, type ParsedArgs, str } from '../args.js';
import { DEFAULT_DATA_DIR, findRunningCollector } from '../runtime.js';
import { uiUrl } from './up.js';

export const uiOptions = {
  'data-dir': { type: 'string' },
  open: { type: 'boolean' },
} as const;

/** The platform's "open this URL" program; the URL is an argument, never shell text. */
function opener(): string {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer.exe';
  return 'xdg-open';
}

export async function ui(args: ParsedArgs): Promise<number> {
  const dataDir = str(args, 'data-dir') ?? DEFAULT_DATA_DIR;
  const running = findRunningCollector(dataDir);
  if (!running) {
    process.stderr.write(`aicost ui: no aicost up is running on ${dataDir} (start it with: aicost up)\n`);
    return 1;
  }
  if (running.uiPort === undefined) {
    process.stderr.write(`aicost ui: the aicost up on ${running.dataDir} runs without the UI (--no-ui)\n`);
    return 1;
  }
  // A wildcard bind is reached on loopback from this machine.
  const host = running.host === '0.0.0.0' || running.host === '::' ? '127.0.0.1' : running.host;
  const url = uiUrl(host, running.uiPort);
  process.stdout.write(`${url}\n`);
  if (flag(args, 'open')) {
    const child = spawn(opener(), [url], { stdio: 'ignore', detached: true });
    child.on('error', (err) => process.stderr.write(`aicost ui: could not open a browser: ${err.message}\n`));
    child.unref();
  }
  return 0;
}
