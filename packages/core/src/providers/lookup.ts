import { PROVIDER_REGISTRY, type ProviderRecord } from './registry.js';

/** Lookups over the registry, built once: the hot path asks per call. */
const byName = new Map<string, ProviderRecord>();
const byHost = new Map<string, ProviderRecord>();
const bySuffix: Array<[string, ProviderRecord]> = [];
const byPattern: Array<[RegExp, ProviderRecord]> = [];
const byModelPrefix = new Map<string, ProviderRecord>();
const byPort = new Map<string, ProviderRecord>();

for (const record of PROVIDER_REGISTRY as readonly ProviderRecord[]) {
  for (const name of [record.genaiName, ...record.aliases]) if (!byName.has(name)) byName.set(name, record);
  for (const host of record.hosts) byHost.set(host, record);
  for (const suffix of record.hostSuffixes ?? []) bySuffix.push([suffix, record]);
  for (const pattern of record.hostPatterns ?? []) byPattern.push([new RegExp(pattern), record]);
  for (const prefix of record.modelPrefixes ?? []) byModelPrefix.set(prefix, record);
  for (const port of record.ports ?? []) byPort.set(port, record);
}

/** The registry entry for a provider name as spans spell it (`gen_ai.provider.name`, `gen_ai.system`, aliases), any case. */
export function providerByName(name: string): ProviderRecord | undefined {
  const lower = name.trim().toLowerCase();
  return byName.get(lower);
}

/**
 * Where a provider's own SDK sends requests when the client names no base URL: `https://` and the
 * first of its registry hosts. `undefined` for a provider without a public host.
 */
export function providerDefaultBaseURL(name: string): string | undefined {
  const host = providerByName(name)?.hosts[0];
  return host === undefined ? undefined : `https://${host}`;
}

/** The registry entry whose API lives on `host` (exact host, per-resource suffix or per-region pattern). */
export function providerByHost(host: string): ProviderRecord | undefined {
  const lower = host.trim().toLowerCase();
  const exact = byHost.get(lower);
  if (exact) return exact;
  for (const [suffix, record] of bySuffix) if (lower.endsWith(suffix)) return record;
  for (const [pattern, record] of byPattern) if (pattern.test(lower)) return record;
  return undefined;
}

/** The provider a gateway's model-id prefix names (`openai` in `openai/gpt-4.1`). */
export function providerByModelPrefix(prefix: string): ProviderRecord | undefined {
  return byModelPrefix.get(prefix.toLowerCase());
}

/** The self-hosted entry when `port` is a local inference server's default port. */
export function providerByDefaultPort(port: string): ProviderRecord | undefined {
  return byPort.get(port);
}

/** Every name spans may carry for a provider, with the registry entry, in registry order. */
export function providerNames(): Array<[string, ProviderRecord]> {
  return [...byName.entries()];
}

/** The first registry entry priced under a catalogue provider id (`google` is `gcp.gemini`). */
export function providerByCatalogueId(catalogueId: string): ProviderRecord | undefined {
  return (PROVIDER_REGISTRY as readonly ProviderRecord[]).find(
    (record) => record.catalogueId === catalogueId,
  );
}
