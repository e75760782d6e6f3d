import type { MatchLogic } from '@pydantic/genai-prices';
import { CATALOGUE_PROVIDER_BY_GENAI_NAME, CATALOGUE_PROVIDER_IDS } from '../pricing/catalogue.js';
import { catalogueData } from '../pricing/catalogue-data.js';
import {
  SERVICE_TIER_RULES,
  SERVICE_TIER_RULES_VERSION,
  STANDARD_TIER_NAMES,
} from '../pricing/service-tiers.js';
import { getHostMappings, type HostMappings } from './host-mappings.js';
import { OPEN_WEIGHT_MODEL_FAMILIES, PROVIDER_REGISTRY, type ProviderRecord } from './registry.js';

/**
 * One way a server is recognised, in the order SQL must try them: user mappings (`user`,
 * `host:port` before `host`), then the registry (`exact`, `suffix`, `pattern`), then the
 * catalogue's API URL patterns (`catalogue_url`, matched against `https://` + host).
 */
export interface HostRouteRow {
  source: 'user' | 'registry' | 'catalogue';
  matchKind: 'host_port' | 'exact' | 'suffix' | 'pattern' | 'catalogue_url';
  /** A host, `host:port`, a suffix, or an anchored RE2 pattern. */
  pattern: string;
  /** `gen_ai.provider.name` (or catalogue id for catalogue rows) whose price applies. */
  provider: string;
  /** Catalogue provider id, `null` when the provider has no catalogue prices (self-hosted, LiteLLM...). */
  catalogueProviderId: string | null;
  /** `gateway` rows without a catalogue id route by model id, like unknown hosts. */
  kind: 'provider' | 'gateway' | 'self_hosted';
}

export interface ModelPrefixRow {
  /** Gateway model-id prefix without the slash (`openai` in `openai/gpt-4.1`). */
  prefix: string;
  provider: string;
  catalogueProviderId: string;
}

export interface ModelClaimRow {
  catalogueProviderId: string;
  /** `gen_ai.provider.name` the claimed model is priced under (the catalogue id when the registry has none). */
  provider: string;
  matchKind: 'equals' | 'starts_with' | 'ends_with' | 'contains' | 'regex';
  /** Lower case, except `regex` (RE2, matched against the id as written, as the catalogue does). */
  pattern: string;
}

export interface ServiceTierRow {
  catalogueProviderId: string;
  /** As the provider's response spells it. */
  tier: string;
  kind: 'standard' | 'multiplier' | 'committed';
  /** Decimal string for `multiplier`, else `null`. */
  factor: string | null;
  source: string | null;
  checked: string | null;
}

/** Everything the host-vs-model rule (`routeCall`) and the service-tier rules need, as rows SQL can load. */
export interface RoutingData {
  /** `service-tiers@…`, plus the registry's shape; written beside re-priced rows. */
  version: string;
  hosts: HostRouteRow[];
  /** Ports of local inference servers: a host on one of them is self-hosted when nothing else names it. */
  selfHostedPorts: string[];
  /**
   * Names that, on a host nobody declared, say which wire format a client speaks rather than who
   * serves it (`openai`, `self_hosted` and its aliases): on these the model decides.
   */
  genericProviderNames: string[];
  /** Every provider name spans may carry (lower case) with the catalogue provider id it is priced under. */
  providerCatalogueIds: Array<{ name: string; catalogueProviderId: string }>;
  /**
   * The catalogue's provider-level model rules (`model_match`), providers in catalogue order:
   * on an unknown host, the first provider whose rule claims an unprefixed model id is the one
   * to look it up under (`findCatalogueModelAnyProvider`). `and` rules and regular expressions
   * with look-around (which RE2, ClickHouse's engine, has not) are left out.
   */
  modelClaims: ModelClaimRow[];
  modelPrefixes: ModelPrefixRow[];
  openWeightFamilies: Array<{ family: string; pattern: string }>;
  serviceTiers: ServiceTierRow[];
  /** Tier names that mean standard for every provider (a gateway answers in its own format). */
  standardTierNames: string[];
}

/**
 * The routing rule's data for the SQL side, like `exportPriceRows` is for prices:
 * deterministic, in the order the rule applies. `hosts` defaults to the process-wide
 * mappings (`register({ hosts })`, `AICOST_HOSTS`).
 */
export function exportRoutingData(options: { hosts?: HostMappings } = {}): RoutingData {
  const records = PROVIDER_REGISTRY as readonly ProviderRecord[];
  const userRows: HostRouteRow[] = (options.hosts ?? getHostMappings())
    .entries()
    .map(([pattern, provider]) => {
      const record = records.find((candidate) => candidate.genaiName === provider);
      return {
        source: 'user' as const,
        matchKind: /:\d+$/.test(pattern) ? ('host_port' as const) : ('exact' as const),
        pattern,
        provider,
        catalogueProviderId: record?.catalogueId ?? null,
        kind: record?.kind ?? 'provider',
      };
    })
    .sort((a, b) =>
      a.matchKind === b.matchKind ? compare(a.pattern, b.pattern) : a.matchKind === 'host_port' ? -1 : 1,
    );
  const registryRows: HostRouteRow[] = [];
  for (const matchKind of ['exact', 'suffix', 'pattern'] as const) {
    for (const record of records) {
      const patterns =
        matchKind === 'exact'
          ? record.hosts
          : matchKind === 'suffix'
            ? record.hostSuffixes
            : record.hostPatterns;
      for (const pattern of patterns ?? []) {
        registryRows.push({
          source: 'registry',
          matchKind,
          pattern,
          provider: record.genaiName,
          catalogueProviderId: record.catalogueId ?? null,
          kind: record.kind,
        });
      }
    }
  }
  const catalogueRows: HostRouteRow[] = [];
  for (const id of CATALOGUE_PROVIDER_IDS) {
    const provider = catalogueData().findProvider({ providerId: id });
    if (!provider?.api_pattern) continue;
    const record = records.find((candidate) => candidate.catalogueId === id);
    catalogueRows.push({
      source: 'catalogue',
      matchKind: 'catalogue_url',
      pattern: provider.api_pattern,
      provider: record?.genaiName ?? id,
      catalogueProviderId: id,
      kind: 'provider',
    });
  }
  return {
    version: SERVICE_TIER_RULES_VERSION,
    hosts: [...userRows, ...registryRows, ...catalogueRows],
    selfHostedPorts: records.flatMap((record) => [...(record.ports ?? [])]),
    genericProviderNames: records
      .filter((record) => record.key === 'OPENAI' || record.key === 'SELF_HOSTED')
      .flatMap((record) => [record.genaiName, ...record.aliases]),
    providerCatalogueIds: Object.entries(CATALOGUE_PROVIDER_BY_GENAI_NAME)
      .map(([name, catalogueProviderId]) => ({ name, catalogueProviderId }))
      .sort((a, b) => compare(a.name, b.name)),
    modelClaims: modelClaimRows(records),
    modelPrefixes: records.flatMap((record) =>
      record.catalogueId
        ? (record.modelPrefixes ?? []).map((prefix) => ({
            prefix,
            provider: record.genaiName,
            catalogueProviderId: record.catalogueId as string,
          }))
        : [],
    ),
    openWeightFamilies: OPEN_WEIGHT_MODEL_FAMILIES.map(({ family, pattern }) => ({ family, pattern })),
    serviceTiers: Object.entries(SERVICE_TIER_RULES).flatMap(([catalogueProviderId, tiers]) =>
      Object.entries(tiers).map(([tier, rule]) => ({
        catalogueProviderId,
        tier,
        kind: rule.kind,
        factor: rule.kind === 'multiplier' ? rule.factor : null,
        source: rule.kind === 'standard' ? null : rule.source,
        checked: rule.kind === 'standard' ? null : rule.checked,
      })),
    ),
    standardTierNames: [...STANDARD_TIER_NAMES],
  };
}

/** The catalogue's provider `model_match` rules in its own provider order (the order `calcPrice` tries them). */
function modelClaimRows(records: readonly ProviderRecord[]): ModelClaimRow[] {
  const rows: ModelClaimRow[] = [];
  for (const id of CATALOGUE_PROVIDER_IDS) {
    const provider = catalogueData().findProvider({ providerId: id });
    if (!provider?.model_match || provider.id !== id) continue;
    const record = records.find((candidate) => candidate.catalogueId === provider.id);
    for (const [matchKind, pattern] of claimAnchors(provider.model_match)) {
      rows.push({
        catalogueProviderId: provider.id,
        provider: record?.genaiName ?? provider.id,
        matchKind,
        pattern: matchKind === 'regex' ? pattern : pattern.toLowerCase(),
      });
    }
  }
  return rows;
}

function claimAnchors(logic: MatchLogic): Array<[ModelClaimRow['matchKind'], string]> {
  if ('equals' in logic) return [['equals', logic.equals]];
  if ('starts_with' in logic) return [['starts_with', logic.starts_with]];
  if ('ends_with' in logic) return [['ends_with', logic.ends_with]];
  if ('contains' in logic) return [['contains', logic.contains]];
  if ('regex' in logic) return /\(\?<?[=!]/.test(logic.regex) ? [] : [['regex', logic.regex]];
  if ('or' in logic) return logic.or.flatMap(claimAnchors);
  return [];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
