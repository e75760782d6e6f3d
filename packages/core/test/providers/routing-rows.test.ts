import { describe, expect, it } from 'vitest';
import { findCatalogueModelAnyProvider } from '../../src/pricing/catalogue.js';
import { parseHostMappings } from '../../src/providers/host-mappings.js';
import { isOpenWeightModel, routeCall } from '../../src/providers/routing.js';
import { exportRoutingData, type HostRouteRow } from '../../src/providers/routing-rows.js';

const { mappings } = parseHostMappings({ 'llm-gw.internal': 'openai', 'vllm.internal:8000': 'self_hosted' });
const data = exportRoutingData({ hosts: mappings });

/** The host step of the rule, written over the exported rows the way a SQL query would walk them. */
function hostRowFor(host: string, port: number): HostRouteRow | undefined {
  return data.hosts.find((row) => {
    switch (row.matchKind) {
      case 'host_port':
        return row.pattern === `${host}:${port}`;
      case 'exact':
        return row.pattern === host;
      case 'suffix':
        return host.endsWith(row.pattern);
      case 'pattern':
        return new RegExp(row.pattern).test(host);
      case 'catalogue_url':
        return new RegExp(row.pattern).test(`https://${host}`);
    }
    return false;
  });
}

describe('exportRoutingData: the routing rule as rows for SQL', () => {
  it('lists user mappings first (host:port before host), then registry hosts, then catalogue URL patterns', () => {
    expect(data.hosts.slice(0, 2)).toEqual([
      {
        source: 'user',
        matchKind: 'host_port',
        pattern: 'vllm.internal:8000',
        provider: 'self_hosted',
        catalogueProviderId: null,
        kind: 'self_hosted',
      },
      {
        source: 'user',
        matchKind: 'exact',
        pattern: 'llm-gw.internal',
        provider: 'openai',
        catalogueProviderId: 'openai',
        kind: 'provider',
      },
    ]);
    const sources = data.hosts.map((row) => row.source);
    expect(sources).toEqual(
      [...sources].sort(
        (a, b) => ['user', 'registry', 'catalogue'].indexOf(a) - ['user', 'registry', 'catalogue'].indexOf(b),
      ),
    );
    expect(exportRoutingData({ hosts: mappings })).toEqual(data);
  });

  it.each([
    ['api.openai.com', 443],
    ['my-res.openai.azure.com', 443],
    ['bedrock-runtime.eu-west-1.amazonaws.com', 443],
    ['api.novita.ai', 443],
    ['openrouter.ai', 443],
    ['api.portkey.ai', 443],
    ['llm-gw.internal', 443],
    ['vllm.internal', 8000],
    ['vllm.internal', 9000],
    ['10.0.0.5', 80],
  ])('gives %s:%d the provider routeCall gives it', (host, port) => {
    const route = routeCall(
      { provider: 'openai', serverAddress: host, serverPort: port, model: 'gpt-4o-mini' },
      mappings,
    );
    const row = hostRowFor(host, port);
    const byHost = row && !(row.kind === 'gateway' && row.catalogueProviderId === null);
    if (byHost) expect(route.provider).toBe(row!.provider);
    else expect(route.match).toBe('model_id');
  });

  it('carries the open-weight families, the model prefixes and every service-tier rule', () => {
    for (const model of ['llama-3.1-8b', 'qwen3-32b', 'gpt-oss-120b', 'gpt-4o-mini', 'deepseek-chat']) {
      const sql = data.openWeightFamilies.some(({ pattern }) => new RegExp(pattern).test(model));
      expect(sql, model).toBe(isOpenWeightModel(model));
    }
    expect(data.modelPrefixes).toContainEqual({
      prefix: 'anthropic',
      provider: 'anthropic',
      catalogueProviderId: 'anthropic',
    });
    expect(data.serviceTiers).toContainEqual({
      catalogueProviderId: 'openai',
      tier: 'flex',
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://developers.openai.com/api/docs/guides/flex-processing',
      checked: '2026-12-07',
    });
    expect(
      data.serviceTiers.find((row) => row.tier === 'priority' && row.catalogueProviderId === 'anthropic')
        ?.kind,
    ).toBe('committed');
    expect(data.selfHostedPorts).toEqual(['11434', '1234', '8000']);
    expect(data.standardTierNames).toContain('default');
  });

  it('lists as generic exactly the names routeCall routes by model on an unknown host', () => {
    // Ollama has a registry row of its own (kind self_hosted): its calls take the user's self-hosted rate.
    expect(data.genericProviderNames).toEqual(['openai', 'self_hosted', 'vllm', 'lmstudio', 'llamacpp']);
    for (const provider of [...data.genericProviderNames, 'anthropic', 'aws.bedrock', 'groq', 'ollama']) {
      const route = routeCall({ provider, serverAddress: '10.0.0.9', model: 'gpt-4o-mini' }, mappings);
      expect(route.match === 'model_id', provider).toBe(data.genericProviderNames.includes(provider));
    }
  });

  it("claims an unprefixed model id for the provider the catalogue's own lookup picks", () => {
    const claim = (model: string) =>
      data.modelClaims.find(({ matchKind, pattern }) => {
        const lower = model.toLowerCase();
        if (matchKind === 'equals') return lower === pattern;
        if (matchKind === 'starts_with') return lower.startsWith(pattern);
        if (matchKind === 'ends_with') return lower.endsWith(pattern);
        if (matchKind === 'regex') return new RegExp(pattern).test(model);
        return lower.includes(pattern);
      })?.catalogueProviderId;
    for (const model of [
      'gpt-4o-mini',
      'claude-sonnet-4-5',
      'gemini-2.5-pro',
      'command-r-plus',
      'grok-4',
      'o3-mini',
    ]) {
      expect(claim(model), model).toBe(findCatalogueModelAnyProvider(model)?.provider.id);
    }
    expect(data.providerCatalogueIds).toContainEqual({
      name: 'gcp.vertex_ai',
      catalogueProviderId: 'google',
    });
  });
});
