/**
 * `aicost ui`: prints the web UI's address of the `aicost up` running on --data-dir, with a
 * one-time login code (good once, for a minute) made from the UI's own secret, which that
 * `aicost up` keeps in its 0600 state file. With --open it hands the desktop's browser a 0600
 * HTML file that redirects to a second such address, so no code is ever an argument of a
 * process (a browser keeps its argv for its whole life); the file is removed shortly after.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginCode, TOKEN_PARAM } from '@aicost/ui';
import { flag, type ParsedArgs, str } from '../args.js';
import { DEFAULT_DATA_DIR, findRunningCollector, type RunningCollector } from '../runtime.js';
import { uiUrl } from './up.js';

export const uiOptions = {
  'data-dir': { type: 'string' },
  open: { type: 'boolean' },
} as const;

/** How long the file that opens the UI is kept: time for a browser to start and read it. */
const OPEN_FILE_LIFETIME_MS = 10_000;

/** The platform's "open this file" program; the file is an argument, never shell text. */
function opener(): string {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer.exe';
  return 'xdg-open';
}

/** The UI's address with a fresh login code (none when that aicost up predates the UI secret). */
function loginUrl(running: RunningCollector & { uiPort: number }): URL {
  // A wildcard bind is reached on loopback from this machine.
  const host = running.host === '0.0.0.0' || running.host === '::' ? '127.0.0.1' : running.host;
  const url = new URL(uiUrl(host, running.uiPort));
  if (running.uiSecret) url.searchParams.set(TOKEN_PARAM, loginCode(running.uiSecret));
  return url;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A page that sends the browser on to `url` at once (the way Jupyter opens its login address). */
function redirectPage(url: URL): string {
  const href = escapeHtml(url.href);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>aicost UI</title></head>
<body><p>Opening the aicost UI: <a href="${href}">continue</a>.</p></body></html>
`;
}

/** Opens `url` in the desktop's browser through a 0600 file in a 0700 directory, removed after a while. */
async function openInBrowser(url: URL): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aicost-ui-open-'));
  try {
    const file = join(dir, 'open.html');
    writeFileSync(file, redirectPage(url), { mode: 0o600, flag: 'wx' });
    const child = spawn(opener(), [file], { stdio: 'ignore', detached: true });
    child.on('error', (err) => process.stderr.write(`aicost ui: could not open a browser: ${err.message}\n`));
    child.unref();
    await new Promise((resolve) => setTimeout(resolve, OPEN_FILE_LIFETIME_MS));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function ui(args: ParsedArgs): Promise<number> {
  const dataDir = str(args, 'data-dir') ?? DEFAULT_DATA_DIR;
  const running = findRunningCollector(dataDir);
  if (!running) {
    process.stderr.write(`aicost ui: no aicost up is running on ${dataDir} (start it with: aicost up)\n`);
    return 1;
  }
  const { uiPort } = running;
  if (uiPort === undefined) {
    process.stderr.write(`aicost ui: the aicost up on ${running.dataDir} runs without the UI (--no-ui)\n`);
    return 1;
  }
  process.stdout.write(`${loginUrl({ ...running, uiPort }).href}\n`);
  // Its own code: the printed one stays good for whoever uses it.
  if (flag(args, 'open')) await openInBrowser(loginUrl({ ...running, uiPort }));
  return 0;
}
