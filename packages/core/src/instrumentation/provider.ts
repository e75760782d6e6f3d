import { getHostMappings } from '../providers/host-mappings.js';
import { providerByDefaultPort, providerByHost } from '../providers/lookup.js';
import { GEN_AI_PROVIDER } from '../semconv.js';

/**
 * Who serves an OpenAI-compatible API, from the base URL the client talks to.
 *
 * Many vendors expose the OpenAI wire format, so the SDK alone does not say
 * who bills the call; the host does. A host the user mapped (`register({ hosts })`,
 * `AICOST_HOSTS`) is what they said; a host in the provider registry maps to its
 * `gen_ai.provider.name`; loopback, private networks and the default ports of
 * local inference servers are `self_hosted`; any other host gets
 * `defaultProvider`. This names the endpoint; which price applies is decided
 * when the call is priced, by the model where the host is not a provider's
 * (see `providers/routing.ts`).
 */
export function providerFromBaseURL(
  baseURL: string | URL | undefined,
  defaultProvider: string = GEN_AI_PROVIDER.OPENAI,
): string {
  const url = parseURL(baseURL);
  if (!url) return defaultProvider;
  const host = url.hostname.toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  const mapped = getHostMappings().lookup(host, port);
  if (mapped) return mapped;
  const known = providerByHost(host);
  if (known) return known.genaiName;
  if (isLocalOrPrivateHost(host) || providerByDefaultPort(url.port)) return GEN_AI_PROVIDER.SELF_HOSTED;
  return defaultProvider;
}

/**
 * `server.address` and `server.port` for a base URL. The port is the explicit
 * one, else the scheme's default, as the HTTP semconv asks.
 */
export function serverFromBaseURL(baseURL: string | URL | undefined): ServerOfBaseURL {
  if (typeof baseURL !== 'string') return serverOf(baseURL);
  // Several instrumentations ask on every call, and a client's base URL rarely changes: parse each once.
  let server = serversByBaseURL.get(baseURL);
  if (server === undefined) {
    if (serversByBaseURL.size >= BASE_URL_CACHE_LIMIT) serversByBaseURL.clear();
    server = serverOf(baseURL);
    serversByBaseURL.set(baseURL, server);
  }
  // A copy: the caller's to keep or change.
  return { ...server };
}

interface ServerOfBaseURL {
  serverAddress?: string;
  serverPort?: number;
}

/** Distinct base URLs remembered; past that the memory starts over (a process talks to a handful). */
const BASE_URL_CACHE_LIMIT = 256;
const serversByBaseURL = new Map<string, ServerOfBaseURL>();

function serverOf(baseURL: string | URL | undefined): ServerOfBaseURL {
  const url = parseURL(baseURL);
  if (!url) return {};
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  return { serverAddress: url.hostname, serverPort: port };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function parseURL(baseURL: string | URL | undefined): URL | undefined {
  if (!baseURL) return undefined;
  try {
    return typeof baseURL === 'string' ? new URL(baseURL) : baseURL;
  } catch {
    return undefined;
  }
}

/** Loopback, private ranges and internal DNS suffixes: servers of the user's own network. */
export function isLocalOrPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  if (host.endsWith('.internal') || host.endsWith('.svc') || host.endsWith('.cluster.local')) return true;
  // No node:net here: this module also runs in edge runtimes.
  if (IPV4.test(host)) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 0;
  }
  if (host.includes(':')) {
    const bare = host.replace(/^\[|\]$/g, '');
    return bare === '::1' || bare.startsWith('fc') || bare.startsWith('fd') || bare.startsWith('fe80');
  }
  return false;
}
