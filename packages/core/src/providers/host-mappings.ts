import { diag } from '@opentelemetry/api';
import { ENV } from '../semconv.js';
import { providerByName } from './lookup.js';

/**
 * Hosts the user says who serves: `{ 'llm-gw.internal': 'openai', 'vllm.internal:8000': 'self_hosted' }`.
 * A key is a host name or `host:port` (the port form wins); a value is a provider as
 * `gen_ai.provider.name` or an alias the registry knows (`openai`, `anthropic`, `self_hosted`,
 * `litellm`...). A mapping overrides every other way of telling the provider of a call.
 */
export type HostMappingsInput = Readonly<Record<string, string>>;

export interface HostMappings {
  /** `gen_ai.provider.name` for a server, or `undefined` when the user did not map it. */
  lookup(serverAddress: string, serverPort?: number): string | undefined;
  readonly size: number;
  /** `[host or host:port, gen_ai.provider.name]`, the first that maps a host first. */
  entries(): Array<[string, string]>;
}

export type HostMappingsResult = { mappings: HostMappings; errors: string[] };

/** Validates a host mapping given in code; bad entries are reported and left out, the others apply. */
export function parseHostMappings(input: unknown): HostMappingsResult {
  const errors: string[] = [];
  const entries = new Map<string, string>();
  if (input === undefined || input === null) return { mappings: hostMappings(entries), errors };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return {
      mappings: hostMappings(entries),
      errors: ['hosts: expected an object of host (or host:port) to provider'],
    };
  }
  for (const [rawHost, rawProvider] of Object.entries(input as Record<string, unknown>)) {
    const host = normalizeHostKey(rawHost);
    if (!host) {
      errors.push(`hosts[${JSON.stringify(rawHost)}]: expected a host name or host:port`);
      continue;
    }
    const record = typeof rawProvider === 'string' ? providerByName(rawProvider) : undefined;
    if (!record) {
      errors.push(
        `hosts[${JSON.stringify(rawHost)}]: unknown provider ${JSON.stringify(rawProvider)} (use a gen_ai.provider.name such as openai, anthropic, azure.ai.openai or self_hosted)`,
      );
      continue;
    }
    entries.set(host, record.genaiName);
  }
  return { mappings: hostMappings(entries), errors };
}

/**
 * `AICOST_HOSTS`: `host=provider` pairs separated by commas,
 * e.g. `llm-gw.internal=openai,vllm.internal:8000=self_hosted`.
 */
export function parseHostMappingsEnv(value: string | undefined): HostMappingsResult {
  const object: Record<string, string> = {};
  const errors: string[] = [];
  for (const pair of (value ?? '').split(',')) {
    const trimmed = pair.trim();
    if (!trimmed) continue;
    const equals = trimmed.lastIndexOf('=');
    if (equals <= 0 || equals === trimmed.length - 1) {
      errors.push(`${ENV.HOSTS}: expected host=provider, got ${JSON.stringify(trimmed)}`);
      continue;
    }
    object[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  }
  const parsed = parseHostMappings(object);
  return {
    mappings: parsed.mappings,
    errors: [...errors, ...parsed.errors.map((e) => `${ENV.HOSTS}: ${e}`)],
  };
}

/** Code mappings over environment ones: the first that maps a host wins. */
export function mergeHostMappings(...layers: HostMappings[]): HostMappings {
  const present = layers.filter((layer) => layer.size > 0);
  return {
    size: present.reduce((sum, layer) => sum + layer.size, 0),
    entries() {
      const seen = new Map<string, string>();
      for (const layer of present)
        for (const [host, provider] of layer.entries()) if (!seen.has(host)) seen.set(host, provider);
      return [...seen.entries()];
    },
    lookup(serverAddress, serverPort) {
      for (const layer of present) {
        const found = layer.lookup(serverAddress, serverPort);
        if (found) return found;
      }
      return undefined;
    },
  };
}

export const NO_HOST_MAPPINGS: HostMappings = hostMappings(new Map());

function hostMappings(entries: ReadonlyMap<string, string>): HostMappings {
  return {
    size: entries.size,
    entries: () => [...entries.entries()],
    lookup(serverAddress, serverPort) {
      if (entries.size === 0) return undefined;
      const host = serverAddress
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      return (
        (serverPort !== undefined ? entries.get(`${host}:${serverPort}`) : undefined) ?? entries.get(host)
      );
    },
  };
}

const HOST_KEY = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/;

function normalizeHostKey(raw: string): string | undefined {
  const key = raw.trim().toLowerCase();
  if (!HOST_KEY.test(key)) return undefined;
  return key.replace(/^\[([^\]]+)\]/, '$1');
}

/**
 * The process-wide host mappings live on `globalThis` under a registry symbol, like the
 * default price book, so the ESM and CommonJS copies of this package agree on them.
 */
const HOST_MAPPINGS_KEY = Symbol.for('@aicost/core.host-mappings');
type GlobalWithMappings = typeof globalThis & { [HOST_MAPPINGS_KEY]?: HostMappings };
const processGlobal = globalThis as GlobalWithMappings;

/** The mappings every pricing decision uses: those given in code, then `AICOST_HOSTS` (read on first use). */
export function getHostMappings(): HostMappings {
  processGlobal[HOST_MAPPINGS_KEY] ??= fromEnvironment();
  return processGlobal[HOST_MAPPINGS_KEY];
}

/**
 * Sets the process-wide mappings from code (`register({ hosts })`), over `AICOST_HOSTS`;
 * `undefined` goes back to the environment alone. Returns the problems found (those
 * entries are ignored, and logged by the caller).
 */
export function setHostMappings(input: HostMappingsInput | undefined): string[] {
  const env = fromEnvironmentWithErrors();
  if (input === undefined) {
    processGlobal[HOST_MAPPINGS_KEY] = env.mappings;
    return env.errors;
  }
  const code = parseHostMappings(input);
  processGlobal[HOST_MAPPINGS_KEY] = mergeHostMappings(code.mappings, env.mappings);
  return [...code.errors, ...env.errors];
}

function fromEnvironmentWithErrors(): HostMappingsResult {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return parseHostMappingsEnv(env?.[ENV.HOSTS]);
}

function fromEnvironment(): HostMappings {
  const { mappings, errors } = fromEnvironmentWithErrors();
  for (const error of errors) diag.error(`aicost: host mapping ignored: ${error}`);
  return mappings;
}
