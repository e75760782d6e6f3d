/**
 * `aicost up` serves the UI on its own port, `aicost ui` prints that address, and the page
 * and its API answer there over the store the collector owns (a real process, the built CLI).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginCode } from '../../packages/ui/src/index.js';
import { CHILD_PROCESS_TIMEOUT, runCli, startCollector, tempDir } from '../cli/support.js';

/** The state file `aicost up` keeps in its data directory for `aicost ui` and the other commands. */
function runningState(dataDir: string): { uiPort: number; uiSecret: string } {
  return JSON.parse(readFileSync(join(dataDir, 'aicost-up.json'), 'utf8'));
}

/** A GET that does not follow redirects, with a cookie if given. */
function get(url: string | URL, cookie?: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });
}

describe('aicost up and aicost ui', () => {
  it(
    'the UI is served next to OTLP and ClickHouse HTTP, and aicost ui prints its address',
    async () => {
      const collector = await startCollector({ args: ['--no-prices'] });
      try {
        const printed = await runCli(['ui', '--data-dir', collector.dataDir]);
        expect(printed.code).toBe(0);
        const url = printed.stdout.trim();
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/);
        const base = new URL('/', url);
        expect(base.port).not.toBe(new URL(collector.otlpUrl).port);
        expect(base.port).not.toBe(new URL(collector.clickhouseUrl).port);

        // Without the credential: refused, page and API alike.
        expect((await fetch(base)).status).toBe(401);
        expect((await fetch(new URL('/api/changes', base))).status).toBe(401);
        expect((await fetch(new URL('/?token=wrong', base), { redirect: 'manual' })).status).toBe(401);
        // The printed address trades the token for a cookie and drops it from the URL.
        const login = await fetch(url, { redirect: 'manual' });
        expect(login.status).toBe(303);
        expect(login.headers.get('location')).toBe('/');
        const cookie = login.headers.get('set-cookie')!;
        expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
        const session = { headers: { cookie: cookie.split(';')[0]! } };

        const page = await fetch(base, session);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<script type="module" src="/app.js">');
        const changes = await fetch(new URL('/api/changes', base), session);
        expect(await changes.json()).toEqual({
          requests: '0',
          outcomes: '0',
          bills: '0',
          revenue: '0',
          targets: '0',
          capacity: '0',
        });
        // A page of another site cannot use it: its Origin is refused before the cookie is read.
        const foreign = await fetch(new URL('/api/changes', base), {
          headers: { ...session.headers, origin: 'https://evil.example' },
        });
        expect(foreign.status).toBe(403);
      } finally {
        expect(await collector.stop()).toBe(0);
      }
      const none = await runCli(['ui', '--data-dir', collector.dataDir]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/no aicost up is running/);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    'with --no-ui there is no UI port, and aicost ui says so',
    async () => {
      const collector = await startCollector({ dataDir: tempDir(), args: ['--no-prices', '--no-ui'] });
      try {
        const printed = await runCli(['ui', '--data-dir', collector.dataDir]);
        expect(printed.code).toBe(1);
        expect(printed.stderr).toMatch(/without the UI/);
      } finally {
        await collector.stop();
      }
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    'the UI has a secret of its own: one-time login codes, a session cookie per port that is not the SQL password, and --open keeps the code off every command line',
    async () => {
      const collector = await startCollector({ args: ['--no-prices'] });
      try {
        const stateFile = join(collector.dataDir, 'aicost-up.json');
        expect(statSync(stateFile).mode & 0o777).toBe(0o600);
        expect(readFileSync(stateFile, 'utf8')).not.toContain(collector.password);
        const { uiPort, uiSecret } = runningState(collector.dataDir);
        expect(uiSecret.length).toBeGreaterThanOrEqual(32);
        const base = new URL(`http://127.0.0.1:${uiPort}/`);

        // The SQL password is no login to the UI.
        expect((await get(new URL(`/?token=${collector.password}`, base))).status).toBe(401);
        const printed = (await runCli(['ui', '--data-dir', collector.dataDir])).stdout.trim();
        const code = new URL(printed).searchParams.get('token')!;
        expect(code).not.toContain(collector.password);

        const login = await get(printed);
        expect(login.status).toBe(303);
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const [name, session] = cookie.split('=') as [string, string];
        // Cookies are not kept apart by port: the name is, and the value opens this UI only.
        expect(name).toBe(`aicost_ui_${uiPort}`);
        expect(session).not.toContain(collector.password);
        expect((await get(new URL('/api/changes', base), cookie)).status).toBe(200);
        const sqlWithSession = await fetch(`${collector.clickhouseUrl}/?query=SELECT%201`, {
          headers: { 'X-ClickHouse-Key': session },
        });
        expect(sqlWithSession.status).toBe(401);
        // A session the server did not open is refused.
        expect((await get(new URL('/api/changes', base), `${name}=${session.slice(1)}x`)).status).toBe(401);

        // A code works once.
        expect((await get(printed)).status).toBe(401);
        // ...and for a minute: an old code made with the right secret is refused, a fresh one is taken.
        expect((await get(new URL(`/?token=${loginCode(uiSecret, Date.now() - 61_000)}`, base))).status).toBe(
          401,
        );
        expect((await get(new URL(`/?token=${loginCode('another secret')}`, base))).status).toBe(401);
        const fresh = new URL(`/?token=${loginCode(uiSecret)}`, base);
        // Only a GET spends a code (a HEAD, as link previews send, is refused and leaves it good).
        expect((await fetch(fresh, { method: 'HEAD', redirect: 'manual' })).status).toBe(401);
        expect((await get(fresh)).status).toBe(303);
        // A logged-in browser that follows a spent address is sent on without the code.
        const again = await get(printed, cookie);
        expect(again.status).toBe(303);
        expect(again.headers.get('location')).toBe('/');

        // --open: the opener gets a file (0600) that redirects to a login address; no code in any argv.
        const bin = tempDir('aicost-fake-opener-');
        const opened = join(bin, 'opened');
        mkdirSync(opened);
        writeFileSync(
          join(bin, 'xdg-open'),
          `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}/argv'\nstat -c %a "$1" > '${opened}/mode'\ncp "$1" '${opened}/page.html'\n`,
          { mode: 0o755 },
        );
        const open = await runCli(['ui', '--open', '--data-dir', collector.dataDir], {
          env: { PATH: `${bin}:${process.env.PATH}` },
        });
        expect(open.code, open.stderr).toBe(0);
        const argv = readFileSync(join(opened, 'argv'), 'utf8').trim().split('\n');
        expect(argv).toHaveLength(1);
        expect(argv[0]).toMatch(/\.html$/);
        expect(argv[0]).not.toMatch(/token/);
        expect(readFileSync(join(opened, 'mode'), 'utf8').trim()).toBe('600');
        // Removed once the browser had time to read it.
        expect(existsSync(argv[0]!)).toBe(false);
        const target = /http-equiv="refresh" content="0;url=([^"]+)"/
          .exec(readFileSync(join(opened, 'page.html'), 'utf8'))![1]!
          .replace(/&amp;/g, '&');
        expect(new URL(target).port).toBe(String(uiPort));
        // Its own code: it logs in, and so does the one printed beside it.
        expect((await get(target)).status).toBe(303);
        expect((await get(open.stdout.trim())).status).toBe(303);
      } finally {
        expect(await collector.stop()).toBe(0);
      }
    },
    CHILD_PROCESS_TIMEOUT,
  );
});
