/**
 * `aicost ui`: prints the web UI's address of the `aicost up` running on --data-dir, with the
 * store's credential as a one-time `token` parameter, and with --open hands it to the desktop's
 * browser (the address is then an argument of the opener for an instant, as with Jupyter).
 */
import { spawn } from 'node:child_process';
import { flag, type ParsedArgs, str } from '../args.js';
import { DEFAULT_DATA_DIR, findRunningCollector } from '../runtime.js';
import { readCredential } from '../server/access.js';
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
  // The UI asks for the store's credential like the SQL port: the address carries it once (the
  // browser keeps it in a cookie), read from the data directory this user can read.
  const credential = readCredential(running.dataDir);
  const url = new URL(uiUrl(host, running.uiPort));
  if (credential) url.searchParams.set('token', credential.password);
  process.stdout.write(`${url.href}\n`);
  if (flag(args, 'open')) {
    const child = spawn(opener(), [url.href], { stdio: 'ignore', detached: true });
    child.on('error', (err) => process.stderr.write(`aicost ui: could not open a browser: ${err.message}\n`));
    child.unref();
  }
  return 0;
}
