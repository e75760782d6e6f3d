/**
 * How a browser logs in to the UI. The UI has a secret of its own (made by `aicost up` at each
 * start, never the store's SQL password): whoever can read it (the user, through the 0600 state
 * file `aicost ui` reads) makes a login code from it. A code is good once, for a minute; the
 * server trades it for a random session id kept in a cookie. So what sits in the address bar,
 * the browser's history or an opener's argv is spent or stale, and the cookie, which every
 * server on the same host receives (cookies are not kept apart by port), opens this UI only,
 * for as long as this `aicost up` runs: never the SQL port.
 *
 * A code is `base64url(expiry ‖ nonce ‖ HMAC-SHA256(secret, context ‖ expiry ‖ nonce))`: the
 * server checks it without having issued it (`aicost ui` is another process) and remembers
 * the nonces it took until they expire.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a login code stays good after it is made (ms). */
const LOGIN_CODE_TTL_MS = 60_000;
const EXPIRY_BYTES = 8;
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
const CODE_BYTES = EXPIRY_BYTES + NONCE_BYTES + MAC_BYTES;
const CONTEXT = 'aicost-ui-login-code-v1\0';
/** Sessions kept at once; past it the oldest is dropped (its browser logs in again). */
const MAX_SESSIONS = 64;

function codeMac(secret: string, expiry: Buffer, nonce: Buffer): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).update(expiry).update(nonce).digest();
}

/**
 * A one-time login code for the UI whose `sessionSecret` is `secret`: what `aicost ui` puts in
 * the address it prints (`/?token=<code>`). Good once, for a minute from `now`.
 */
export function loginCode(secret: string, now: number = Date.now()): string {
  const expiry = Buffer.alloc(EXPIRY_BYTES);
  expiry.writeBigUInt64BE(BigInt(Math.floor(now + LOGIN_CODE_TTL_MS)));
  const nonce = randomBytes(NONCE_BYTES);
  return Buffer.concat([expiry, nonce, codeMac(secret, expiry, nonce)]).toString('base64url');
}

/** Session ids are looked up by their hash, so the lookup's timing says nothing about an id. */
function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** The server side: takes each valid code once and keeps the sessions it opened. */
export class LoginSessions {
  /** Nonces of codes already taken, with their expiry (forgotten once expired: the code is then stale anyway). */
  private readonly taken = new Map<string, number>();
  private readonly sessions = new Set<string>();

  constructor(private readonly secret: string) {}

  /** A new session id for a valid, unexpired, unused code (the code is spent); undefined otherwise. */
  redeem(code: string, now: number = Date.now()): string | undefined {
    if (!/^[\w-]+$/.test(code)) return undefined;
    const bytes = Buffer.from(code, 'base64url');
    if (bytes.length !== CODE_BYTES) return undefined;
    const expiry = bytes.subarray(0, EXPIRY_BYTES);
    const nonce = bytes.subarray(EXPIRY_BYTES, EXPIRY_BYTES + NONCE_BYTES);
    if (!timingSafeEqual(bytes.subarray(EXPIRY_BYTES + NONCE_BYTES), codeMac(this.secret, expiry, nonce))) {
      return undefined;
    }
    const expires = Number(expiry.readBigUInt64BE());
    if (expires <= now || expires > now + LOGIN_CODE_TTL_MS) return undefined;
    for (const [key, until] of this.taken) if (until <= now) this.taken.delete(key);
    const key = nonce.toString('hex');
    if (this.taken.has(key)) return undefined;
    this.taken.set(key, expires);
    const id = randomBytes(32).toString('base64url');
    this.sessions.add(sessionKey(id));
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.values().next().value!);
    return id;
  }

  /** Whether `id` (a cookie's value) is a session this server opened. */
  has(id: string | undefined): boolean {
    return id !== undefined && id !== '' && this.sessions.has(sessionKey(id));
  }
}
