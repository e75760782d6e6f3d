import { GEN_AI_PROVIDER } from '../semconv.js';

/**
 * Who serves an OpenAI-compatible API, from the base URL the client talks to.
 *
 * Many vendors expose the OpenAI wire format, so the SDK alone does not say
 * who bills the call; the host does. Known hosts map to their
 * `gen_ai.provider.name`; loopback, private networks and the default ports of
 * local inference servers (Ollama 11434, LM Studio 1234, vLLM 8000) are
 * `self_hosted`; any other host gets `defaultProvider` (a proxy in front of the
 * vendor the SDK was written for is the common case).
 */
export function providerFromBaseURL(
  baseURL: string | URL | undefined,
  defaultProvider: string = GEN_AI_PROVIDER.OPENAI,
): string {
  const url = parseURL(baseURL);
  if (!url) return defaultProvider;
  const host = url.hostname.toLowerCase();

  const known = KNOWN_HOSTS[host];
  if (known) return known;
  for (const [suffix, provider] of KNOWN_HOST_SUFFIXES) {
    if (host.endsWith(suffix)) return provider;
  }
  if (isLocalOrPrivateHost(host) || SELF_HOSTED_PORTS.has(url.port)) return GEN_AI_PROVIDER.SELF_HOSTED;
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

const KNOWN_HOSTS: Record<string, string> = {
  'api.openai.com': GEN_AI_PROVIDER.OPENAI,
  'api.groq.com': GEN_AI_PROVIDER.GROQ,
  'api.deepseek.com': GEN_AI_PROVIDER.DEEPSEEK,
  'api.together.xyz': GEN_AI_PROVIDER.TOGETHER_AI,
  'api.together.ai': GEN_AI_PROVIDER.TOGETHER_AI,
  'api.fireworks.ai': GEN_AI_PROVIDER.FIREWORKS,
  'openrouter.ai': GEN_AI_PROVIDER.OPENROUTER,
  'api.x.ai': GEN_AI_PROVIDER.X_AI,
  'api.mistral.ai': GEN_AI_PROVIDER.MISTRAL_AI,
  'api.perplexity.ai': GEN_AI_PROVIDER.PERPLEXITY,
  'api.anthropic.com': GEN_AI_PROVIDER.ANTHROPIC,
  'generativelanguage.googleapis.com': GEN_AI_PROVIDER.GCP_GEMINI,
  'api.cohere.com': GEN_AI_PROVIDER.COHERE,
  'api.cohere.ai': GEN_AI_PROVIDER.COHERE,
};

/** Per-resource hosts: Azure OpenAI (classic and AI Foundry endpoints). */
const KNOWN_HOST_SUFFIXES: Array<[string, string]> = [
  ['.openai.azure.com', GEN_AI_PROVIDER.AZURE_OPENAI],
  ['.cognitiveservices.azure.com', GEN_AI_PROVIDER.AZURE_OPENAI],
  ['.services.ai.azure.com', GEN_AI_PROVIDER.AZURE_OPENAI],
];

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const SELF_HOSTED_PORTS = new Set(['11434', '1234', '8000']);

function parseURL(baseURL: string | URL | undefined): URL | undefined {
  if (!baseURL) return undefined;
  try {
    return typeof baseURL === 'string' ? new URL(baseURL) : baseURL;
  } catch {
    return undefined;
  }
}

function isLocalOrPrivateHost(host: string): boolean {
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
