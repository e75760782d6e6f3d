/**
 * Loads the routing rule's rows (@aicost/core's `exportRoutingData()`: which hosts name which
 * provider, gateway model prefixes, open-weight families, the catalogue's model rules, service
 * tiers) into `<database>.aicost_route_hosts` / `aicost_route_names` / `aicost_service_tiers`
 * (sql/012_routing.sql), the way `loadPrices` loads prices. The pricing view reads them at the
 * next ingested span.
 *
 * The shapes below are those of @aicost/core's `RoutingData` (this package does not depend on
 * the SDK); the CLI passes core's export through.
 */
import { checkIdentifier } from './layout.js';
import { DEFAULT_DATABASE } from './schema.js';

export interface RoutingRows {
  /** The tier rules' version (`service-tiers@…`), written beside a price a tier scaled. */
  version: string;
  hosts: ReadonlyArray<{
    source: 'user' | 'registry' | 'catalogue';
    matchKind: 'host_port' | 'exact' | 'suffix' | 'pattern' | 'catalogue_url';
    pattern: string;
    provider: string;
    catalogueProviderId: string | null;
    kind: 'provider' | 'gateway' | 'self_hosted';
  }>;
  genericProviderNames: readonly string[];
  providerCatalogueIds: ReadonlyArray<{ name: string; catalogueProviderId: string }>;
  modelPrefixes: ReadonlyArray<{ prefix: string; provider: string; catalogueProviderId: string }>;
  openWeightFamilies: ReadonlyArray<{ family: string; pattern: string }>;
  modelClaims: ReadonlyArray<{
    catalogueProviderId: string;
    provider: string;
    matchKind: 'equals' | 'starts_with' | 'ends_with' | 'contains' | 'regex';
    pattern: string;
  }>;
  serviceTiers: ReadonlyArray<{
    catalogueProviderId: string;
    tier: string;
    kind: 'standard' | 'multiplier' | 'committed';
    factor: string | null;
    source: string | null;
    checked: string | null;
  }>;
}

export interface LoadRoutingOptions {
  /** The schema's database; default `otel`. */
  database?: string;
  /** Empty the tables first, so that rules gone from the export disappear. Default true. */
  replace?: boolean;
}

const FACTOR = /^\d+(\.\d{1,12})?$/;

function insert(table: string, records: Record<string, unknown>[]): string[] {
  if (records.length === 0) return [];
  const columns = Object.keys(records[0]!).join(', ');
  const body = records.map((record) => JSON.stringify(record)).join('\n');
  return [`INSERT INTO ${table} (${columns}) FORMAT JSONEachRow\n${body}`];
}

/** The statements that load `data`. */
export function routingLoadStatements(data: RoutingRows, options: LoadRoutingOptions = {}): string[] {
  const database = checkIdentifier('database', options.database ?? DEFAULT_DATABASE);
  const hosts = `${database}.aicost_route_hosts`;
  const names = `${database}.aicost_route_names`;
  const tiers = `${database}.aicost_service_tiers`;
  const name = (list: string, rank: number, fields: Record<string, string>) => ({
    list,
    rank,
    name: '',
    pattern: '',
    provider: '',
    catalogue_provider_id: '',
    ...fields,
  });
  const nameRows = [
    ...data.genericProviderNames.map((generic, rank) => name('generic_provider', rank, { name: generic })),
    ...data.modelPrefixes.map((row, rank) =>
      name('model_prefix', rank, {
        name: row.prefix,
        provider: row.provider,
        catalogue_provider_id: row.catalogueProviderId,
      }),
    ),
    ...data.openWeightFamilies.map((row, rank) =>
      name('open_weight', rank, { name: row.family, pattern: row.pattern }),
    ),
    ...data.modelClaims.map((row, rank) =>
      name('model_claim', rank, {
        name: row.matchKind,
        pattern: row.pattern,
        provider: row.provider,
        catalogue_provider_id: row.catalogueProviderId,
      }),
    ),
    ...data.providerCatalogueIds.map((row, rank) =>
      name('provider_catalogue', rank, { name: row.name, catalogue_provider_id: row.catalogueProviderId }),
    ),
    name('rules_version', 0, { name: data.version }),
  ];
  const tierRows = data.serviceTiers.map((row) => {
    if (row.factor !== null && !FACTOR.test(row.factor))
      throw new Error(
        `service tier ${row.catalogueProviderId}/${row.tier}: factor ${row.factor} is not a decimal`,
      );
    return {
      catalogue_provider_id: row.catalogueProviderId,
      tier: row.tier,
      kind: row.kind,
      factor: row.factor,
      source: row.source ?? '',
      checked: row.checked ?? '',
    };
  });
  return [
    ...((options.replace ?? true)
      ? [hosts, names, tiers].map((table) => `TRUNCATE TABLE IF EXISTS ${table}`)
      : []),
    ...insert(
      hosts,
      data.hosts.map((row, rank) => ({
        rank,
        source: row.source,
        match_kind: row.matchKind,
        pattern: row.pattern.toLowerCase(),
        provider: row.provider,
        catalogue_provider_id: row.catalogueProviderId ?? '',
        kind: row.kind,
      })),
    ),
    ...insert(names, nameRows),
    ...insert(tiers, tierRows),
  ];
}

/** Loads the routing rows through `execute` (one statement per call). */
export async function loadRouting(
  execute: (statement: string) => unknown | Promise<unknown>,
  data: RoutingRows,
  options: LoadRoutingOptions = {},
): Promise<void> {
  for (const statement of routingLoadStatements(data, options)) await execute(statement);
}
