/**
 * The browser checks of everything `aicost up` serves over HTTP (the OTLP port, the ClickHouse
 * HTTP port and this UI): one implementation, used by the CLI's servers and passed to
 * `createUiServer({ authorize })`.
 *
 * Loopback is not a trust boundary: any web page the user has open can send requests to
 * 127.0.0.1 (simple GETs and text/plain POSTs need no CORS preflight), and a DNS-rebinding page
 * can even read the answers. So a request is refused when:
 *
 * - the server is bound to loopback and the `Host` header is not a loopback name with the bound
 *   port (the rebinding page's Host is its own domain);
 * - an `Origin` header is present and is neither the server's own origin nor one listed in
 *   `bound.allowedOrigins` (`aicost up --allow-origin`);
 * - `Sec-Fetch-Site` says another site made it (`cross-site`, or `same-site`: another port of
 *   the same host is the same site, and SameSite cookies go along), unless its Origin is listed,
 *   or the server takes page navigations (`{ navigation: true }`, the UI) and it is one: a link
 *   followed from elsewhere may open a page, whose data then comes by same-origin calls.
 *
 * Requests without these headers (curl, Go, Node clients) pass. The check is a pure function of
 * the request's headers, run before any body is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** What an `authorize` hook answers: allowed, or the status and message of the refusal. */
export type Authorization = { ok: true } | { ok: false; status: number; message: string };
/** Decides whether a request may be answered; it runs before anything else of the request. */
export type Authorize = (req: IncomingMessage) => Authorization | Promise<Authorization>;

/** The address a server listens on, as the checks see it. */
export interface BoundAddress {
  /** The host given to listen() (`127.0.0.1`, `::1`, `0.0.0.0`, a name...). */
  host: string;
  /** The port actually bound (known after listen()). */
  port: number;
  /** Origins (`http://127.0.0.1:4000`) allowed besides the bound address's own. */
  allowedOrigins?: readonly string[];
}

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Host headers that name a loopback-bound server: its bound name, 127.0.0.1, localhost or [::1], with its port. */
function loopbackHostHeaders(bound: BoundAddress): Set<string> {
  const name = bound.host.includes(':') && !bound.host.startsWith('[') ? `[${bound.host}]` : bound.host;
  return new Set(
    [name.toLowerCase(), '127.0.0.1', 'localhost', '[::1]'].map((host) => `${host}:${bound.port}`),
  );
}

/**
 * Why a request must be refused as a browser request on behalf of another site, or undefined
 * when it may proceed (see the module's comment for the rules).
 */
export function browserRequestRefusal(
  req: IncomingMessage,
  bound: BoundAddress,
  opts: { navigation?: boolean } = {},
): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (isLoopbackHost(bound.host) && !loopbackHostHeaders(bound).has(host)) {
    return `the Host header ${JSON.stringify(host.slice(0, 100))} does not name this server (127.0.0.1:${bound.port})`;
  }
  const origin = req.headers.origin;
  const listed =
    origin !== undefined &&
    (bound.allowedOrigins?.some((o) => o.toLowerCase() === origin.toLowerCase()) ?? false);
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}` && !listed) {
    return `cross-origin requests from ${JSON.stringify(origin.slice(0, 100))} are refused`;
  }
  const site = req.headers['sec-fetch-site'];
  const navigation =
    opts.navigation === true && req.method === 'GET' && req.headers['sec-fetch-mode'] === 'navigate';
  if ((site === 'cross-site' || site === 'same-site') && !listed && !navigation) {
    return `${site} browser requests are refused`;
  }
  return undefined;
}

/** An {@link Authorize} hook made of {@link browserRequestRefusal} (403 when refused). */
export function browserRequestsFrom(
  bound: () => BoundAddress,
  opts: { navigation?: boolean } = {},
): Authorize {
  return (req) => {
    const refusal = browserRequestRefusal(req, bound(), opts);
    return refusal === undefined ? { ok: true } : { ok: false, status: 403, message: refusal };
  };
}

/** How long a connection closed without reading a body is held open for its answer (ms). */
const LINGER_MS = 2000;

/**
 * For an answer sent without reading the request's body (a refusal costs no more than its
 * headers): the answer says `Connection: close`, and no more of the body is read. Node would end
 * such a connection with destroySoon(): read on (to dump the body) and destroy the socket once
 * the answer is out, and closing a socket with unread bytes sends a reset that can overtake the
 * answer at a client still sending. Instead the answer and a FIN go out, nothing more is read
 * (the client's sending stops when the socket buffers are full), and the socket is destroyed
 * after a short while. Call before writing the head.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  const { socket } = req;
  res.setHeader('Connection', 'close');
  socket.destroySoon = () => {
    socket.pause();
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
