/**
 * `aicost up` serves the UI on its own port, `aicost ui` prints that address, and the page
 * and its API answer there over the store the collector owns (a real process, the built CLI).
 */
import { describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TIMEOUT, runCli, startCollector, tempDir } from '../cli/support.js';

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
});
