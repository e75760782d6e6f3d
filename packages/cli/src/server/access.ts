/**
 * Access control for everything `aicost up` serves over HTTP (the OTLP port,
 * the ClickHouse HTTP port, and any later server such as a web UI).
 *
 * Loopback is not a trust boundary: any web page the user has open can send
 * requests to 127.0.0.1 (simple GETs and text/plain POSTs need no CORS
 * preflight), and a DNS-rebinding page can even read the answers. So every
 * server calls two checks before doing any work:
 *
 * - `browserRequestRefusal`(req, bound) (from @aicost/ui, whose server uses
 *   the same check): refuses requests a browser made on behalf of another
 *   site. The `Host` header must name the bound address (defeats DNS
 *   rebinding: the rebinding page's Host is its own domain), an `Origin`
 *   header, when present, must be one of the bound address's own origins or
 *   one listed in `bound.allowedOrigins`, and `Sec-Fetch-Site` must not name
 *   another site. Requests without these headers (curl, Go, Node clients)
 *   pass this check.
 * - {@link credentialMatches}(req, url, credential): the per-data-directory
 *   secret from {@link loadOrCreateCredential}, accepted the ways ClickHouse
 *   clients send a password (HTTP Basic, `X-ClickHouse-Key`, `?password=`)
 *   and as `Authorization: Bearer` (OTLP exporters' `headers` setting). The
 *   user name is not part of the secret and is not checked.
 *
 * Both are pure functions of the request, cheap, and run before the body is
 * read, so a refused request costs nothing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { BoundAddress } from '@aicost/ui';

// One implementation of the browser checks, shared with the UI's server.
export { type BoundAddress, browserRequestRefusal, isLoopbackHost } from '@aicost/ui';

/** The secret of one data directory. */
export interface LocalCredential {
  /** The user name printed in client snippets (not checked). */
  user: string;
  password: string;
}

/** Where the credential is kept, inside the data directory (mode 0600). */
export const CREDENTIAL_FILE = 'credential.json';

/** The user name shown to clients; any name is accepted. */
export const CREDENTIAL_USER = 'aicost';

/** The credential stored in `dataDir`, if any. */
export function readCredential(dataDir: string): LocalCredential | undefined {
  const file = join(resolve(dataDir), CREDENTIAL_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredential>;
    if (typeof parsed.password !== 'string' || parsed.password === '') return undefined;
    return {
      user: typeof parsed.user === 'string' ? parsed.user : CREDENTIAL_USER,
      password: parsed.password,
    };
  } catch {
    return undefined;
  }
}

/**
 * The credential for `dataDir`: `password` when given (from AICOST_PASSWORD
 * or a password file, never the command line), else the stored one, else a
 * new random one. It is (re)written with mode 0600 so that `aicost report`,
 * `aicost sql` and the tests on the same directory find it. `created` is true
 * the first time, when it should be printed.
 */
export function loadOrCreateCredential(
  dataDir: string,
  password?: string,
): { credential: LocalCredential; created: boolean } {
  const stored = readCredential(dataDir);
  if (stored && (password === undefined || stored.password === password)) {
    return { credential: stored, created: false };
  }
  const credential = {
    user: CREDENTIAL_USER,
    password: password ?? randomBytes(24).toString('base64url'),
  };
  const file = join(resolve(dataDir), CREDENTIAL_FILE);
  writeFileSync(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { credential, created: password === undefined };
}

/** The password a request presents, however the client sends it. */
export function presentedPassword(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const [scheme, value = ''] = auth.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer') return value;
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon === -1 ? '' : decoded.slice(colon + 1);
    }
    return undefined;
  }
  const key = req.headers['x-clickhouse-key'];
  if (typeof key === 'string') return key;
  return url.searchParams.get('password') ?? undefined;
}

/** Whether the request carries the credential (constant-time comparison). */
export function credentialMatches(req: IncomingMessage, url: URL, credential: LocalCredential): boolean {
  const given = presentedPassword(req, url);
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(credential.password);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The {@link BoundAddress} of a server, read when asked (the port is known
 * once it listens): pass it as the `bound` option of our servers.
 */
export function boundAddressOf(
  server: Server,
  host: string,
  allowedOrigins?: readonly string[],
): () => BoundAddress {
  return () => {
    const address = server.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    return { host, port, allowedOrigins };
  };
}
