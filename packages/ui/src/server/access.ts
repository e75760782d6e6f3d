/**
 * The default access check of the UI port, until `aicost up`'s access-control module is
 * plugged in through `createUiServer({ authorize })`: a page on another site must not read
 * the UI (loopback is reachable from any web page open in the user's browser), and a DNS
 * name rebound to 127.0.0.1 must not either. So the Host header must name the address the
 * server is bound to (or a loopback name for a loopback bind), and a browser request that
 * says where it comes from (Origin, Sec-Fetch-Site) must come from the UI itself.
 */
import type { IncomingMessage } from 'node:http';

/** What an `authorize` hook answers: allowed, or the status and message of the refusal. */
export type Authorization = { ok: true } | { ok: false; status: number; message: string };
export type Authorize = (req: IncomingMessage) => Authorization | Promise<Authorization>;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The `host:port` values a request to this socket may name. */
function allowedHosts(req: IncomingMessage, boundHost: string): Set<string> {
  const port = req.socket.localPort;
  const bound = boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
  const names = isLoopback(boundHost) ? [bound, ...LOOPBACK_NAMES] : [bound];
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/** Host and Origin checked against the bound address; cross-site browser requests refused. */
export function sameOriginOnly(boundHost: string): Authorize {
  return (req) => {
    const hosts = allowedHosts(req, boundHost);
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) {
      return { ok: false, status: 403, message: `Host ${JSON.stringify(host)} is not this server` };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
      return { ok: false, status: 403, message: 'cross-origin requests are refused' };
    }
    // A link followed from another site may open a page (it carries no data, and the UI's own
    // API calls from it are then same-origin); anything else from another site is refused.
    const site = req.headers['sec-fetch-site'];
    const navigation = req.headers['sec-fetch-mode'] === 'navigate' && req.method === 'GET';
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) {
      return { ok: false, status: 403, message: 'cross-site requests are refused' };
    }
    return { ok: true };
  };
}
