import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_PROVIDER_IDS } from '../../src/pricing/catalogue.js';
import { providerByHost, providerByName, providerDefaultBaseURL } from '../../src/providers/lookup.js';
import {
  OPEN_WEIGHT_MODEL_FAMILIES,
  PROVIDER_REGISTRY,
  type ProviderRecord,
} from '../../src/providers/registry.js';
import { GEN_AI_PROVIDER } from '../../src/semconv.js';

const records = PROVIDER_REGISTRY as readonly ProviderRecord[];

function duplicates(values: string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

describe('provider registry', () => {
  it("gives each SDK's default base URL as its first host, for instrumentations whose client names none", () => {
    expect(providerDefaultBaseURL(GEN_AI_PROVIDER.GROQ)).toBe('https://api.groq.com');
    expect(providerDefaultBaseURL(GEN_AI_PROVIDER.OPENROUTER)).toBe('https://openrouter.ai');
    expect(providerDefaultBaseURL(GEN_AI_PROVIDER.COHERE)).toBe('https://api.cohere.com');
    expect(providerDefaultBaseURL('litellm')).toBeUndefined(); // a proxy users run: no public host
    expect(providerDefaultBaseURL('no-such-provider')).toBeUndefined();
  });

  it('names every catalogue id the pinned catalogue has', () => {
    for (const record of records) {
      if (record.catalogueId === undefined) continue;
      expect(CATALOGUE_PROVIDER_IDS, record.key).toContain(record.catalogueId);
      expect(findProvider({ providerId: record.catalogueId })?.id, record.key).toBe(record.catalogueId);
    }
  });

  it('has one entry per key and per gen_ai.provider.name, and no name or alias shared', () => {
    expect(duplicates(records.map((record) => record.key))).toEqual([]);
    expect(duplicates(records.map((record) => record.genaiName))).toEqual([]);
    expect(duplicates(records.flatMap((record) => [record.genaiName, ...record.aliases]))).toEqual([]);
  });

  it('claims each host, suffix, model prefix and port once, in lower case', () => {
    const hosts = records.flatMap((record) => [...record.hosts, ...(record.hostSuffixes ?? [])]);
    expect(duplicates(hosts)).toEqual([]);
    for (const host of hosts) expect(host).toBe(host.toLowerCase());
    expect(duplicates(records.flatMap((record) => [...(record.modelPrefixes ?? [])]))).toEqual([]);
    expect(duplicates(records.flatMap((record) => [...(record.ports ?? [])]))).toEqual([]);
    // No host is also matched by another entry's suffix or pattern.
    for (const record of records) {
      for (const host of record.hosts) expect(providerByHost(host)?.key, host).toBe(record.key);
    }
  });

  it('agrees with the catalogue about the API hosts both know', () => {
    for (const record of records) {
      if (!record.catalogueId) continue;
      for (const host of record.hosts) {
        const catalogued = findProvider({ providerApiUrl: `https://${host}` });
        // Hosts the catalogue has no pattern for are ours alone; a pattern that matches must agree.
        if (catalogued) expect(catalogued.id, host).toBe(record.catalogueId);
      }
    }
  });

  it('compiles every host and open-weight pattern, anchored', () => {
    for (const pattern of [
      ...records.flatMap((record) => [...(record.hostPatterns ?? [])]),
      ...OPEN_WEIGHT_MODEL_FAMILIES.map((family) => family.pattern),
    ]) {
      expect(pattern.startsWith('^'), pattern).toBe(true);
      expect(() => new RegExp(pattern)).not.toThrow();
      // RE2 (ClickHouse `match`) has no lookaround or backreferences.
      expect(pattern, pattern).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    }
  });

  it('gives gateways a documented way to report cost, and says where each fact was checked', () => {
    for (const record of records) {
      expect(record.docs, record.key).toMatch(/^https:\/\//);
      if (record.reportedCost) expect(record.reportedCost.source).toMatch(/^https:\/\//);
      if (record.streamUsage === 'on_request') expect(record.kind, record.key).toBe('provider');
    }
  });

  it('is where GEN_AI_PROVIDER and the name lookup come from', () => {
    expect(GEN_AI_PROVIDER.OPENAI).toBe('openai');
    expect(GEN_AI_PROVIDER.SELF_HOSTED).toBe('self_hosted');
    expect(Object.keys(GEN_AI_PROVIDER)).toEqual(records.map((record) => record.key));
    expect(providerByName('OpenAI')?.genaiName).toBe('openai');
    expect(providerByName('az.ai.openai')?.genaiName).toBe('azure.ai.openai');
    expect(providerByName('nobody')).toBeUndefined();
    expect(providerByHost('eu.bedrock-runtime.example')).toBeUndefined();
    expect(providerByHost('bedrock-runtime.eu-west-1.amazonaws.com')?.genaiName).toBe('aws.bedrock');
    expect(providerByHost('my-res.openai.azure.com')?.genaiName).toBe('azure.ai.openai');
  });
});
