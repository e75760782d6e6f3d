-- aicost schema: who prices a call (host vs model) and how its served service tier changes the
-- price, as data: the same rule @aicost/core applies in the SDK and in its cost processor
-- (`routeCall`, providers/routing.ts; `serviceTierRule`, pricing/service-tiers.ts).
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Rows come from @aicost/core's `exportRoutingData()` through `loadRouting` (src/routing.ts),
-- loaded with the prices by `aicost prices load`, `aicost migrate` and `aicost up`. Empty
-- tables mean the rule of earlier releases: the span's provider name decides, and only the
-- standard tier is priced. The pricing view (020, aicost_requests_priced_mv) reads them through
-- the one-row view aicost_route_rules and the functions of 015_pricing.sql.

-- How a server is recognised, tried in `rank` order: user mappings (`host_port` before
-- `exact`), the provider registry (`exact`, `suffix`, `pattern`: an RE2 pattern), then the
-- catalogue's API URL patterns (`catalogue_url`, matched against https://<host> as the
-- catalogue does).
CREATE TABLE IF NOT EXISTS {{database}}.aicost_route_hosts{{on_cluster}}
(
    rank UInt32 COMMENT 'order in which the rule is tried, lowest first',
    source LowCardinality(String) COMMENT 'user (register({ hosts }), AICOST_HOSTS), registry or catalogue',
    match_kind Enum8('host_port' = 1, 'exact' = 2, 'suffix' = 3, 'pattern' = 4, 'catalogue_url' = 5),
    pattern String COMMENT 'host, host:port, suffix or anchored RE2 pattern, lower case',
    provider LowCardinality(String) COMMENT 'gen_ai.provider.name whose price applies',
    catalogue_provider_id LowCardinality(String) COMMENT 'catalogue provider id; empty when the provider has no catalogue prices',
    kind Enum8('provider' = 1, 'gateway' = 2, 'self_hosted' = 3) COMMENT 'a gateway without catalogue prices routes by model id',
    loaded_at DateTime('UTC') DEFAULT now()
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY rank;

-- The lists the model-id step and the tier step read, one row per entry:
-- - generic_provider: names that say which wire format a client speaks, not who serves it
--   (`openai`, `self_hosted` and its aliases): on an unknown host the model id decides;
-- - model_prefix: gateway model-id prefixes (`openai` in `openai/gpt-4.1`) -> provider;
-- - open_weight: families many hosts serve (`pattern`, RE2, on the lower-case id without its
--   vendor prefix): self-hosted on an unknown host;
-- - model_claim: the catalogue's provider-level model rules (`name` = equals, starts_with,
--   ends_with, contains or regex: RE2, on the id as written), in catalogue order (`rank`);
-- - provider_catalogue: provider names as spans carry them -> catalogue provider id;
-- - rules_version: the tier rules' version, written into price_version beside a tier's price.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_route_names{{on_cluster}}
(
    list Enum8('generic_provider' = 1, 'model_prefix' = 2, 'open_weight' = 3, 'model_claim' = 4,
               'provider_catalogue' = 5, 'rules_version' = 6),
    rank UInt32 DEFAULT 0,
    name String,
    pattern String DEFAULT '',
    provider LowCardinality(String) DEFAULT '',
    catalogue_provider_id LowCardinality(String) DEFAULT '',
    loaded_at DateTime('UTC') DEFAULT now()
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (list, rank, name, pattern);

-- Service-tier rules, reviewed data with their source: `standard` (list price), `multiplier`
-- (every price times `factor`, rounded to 12 digits like any price) or `committed` (provisioned
-- capacity: cost status `committed`, not on-demand spend). A served tier without a rule is
-- `unpriced / unknown_service_tier`, never the standard price.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_service_tiers{{on_cluster}}
(
    catalogue_provider_id LowCardinality(String),
    tier String COMMENT 'as the provider''s response spells it',
    kind Enum8('standard' = 1, 'multiplier' = 2, 'committed' = 3),
    factor Nullable(Decimal(38, 12)),
    source String DEFAULT '',
    checked String DEFAULT '',
    loaded_at DateTime('UTC') DEFAULT now()
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (catalogue_provider_id, tier);

-- Everything above as one row of arrays, which the pricing view joins to every span (the rules
-- are a few hundred entries; a span needs them all). Self-hosted rates (price aliases under
-- `self_hosted`) are here too: a model the model-id step sent to a provider that does not list
-- it falls back to them.
CREATE OR REPLACE VIEW {{database}}.aicost_route_rules{{on_cluster}} AS
SELECT
    hosts.rules AS route_host_rules,
    names.generic AS route_generic_names,
    names.prefixes AS route_model_prefixes,
    names.open_weight AS route_open_weight,
    names.claims AS route_model_claims,
    names.catalogue AS route_provider_catalogue,
    names.version AS route_rules_version,
    tiers.rules AS route_tier_rules,
    self_hosted.exact AS route_self_hosted_exact,
    self_hosted.prefix AS route_self_hosted_prefix
FROM
(
    -- (kind, pattern, provider, catalogue_provider_id, routes by model id, source)
    SELECT arrayMap(r -> r.2, arraySort(r -> r.1, groupArray(
               (rank, (toString(match_kind), pattern, lower(provider), toString(catalogue_provider_id),
                       kind = 'gateway' AND catalogue_provider_id = '', toString(source)))))) AS rules
    FROM {{database}}.aicost_route_hosts FINAL
) AS hosts
CROSS JOIN
(
    SELECT
        groupArrayIf(lower(name), list = 'generic_provider') AS generic,
        -- (prefix, provider, catalogue_provider_id)
        groupArrayIf((lower(name), lower(provider), toString(catalogue_provider_id)), list = 'model_prefix') AS prefixes,
        groupArrayIf(pattern, list = 'open_weight') AS open_weight,
        -- (match kind, pattern, provider, catalogue_provider_id), catalogue order
        arrayMap(r -> r.2, arraySort(r -> r.1, groupArrayIf(
            (rank, (name, if(name = 'regex', pattern, lower(pattern)), lower(provider), toString(catalogue_provider_id))),
            list = 'model_claim'))) AS claims,
        -- (name, catalogue_provider_id)
        groupArrayIf((lower(name), toString(catalogue_provider_id)), list = 'provider_catalogue') AS catalogue,
        anyIf(name, list = 'rules_version') AS version
    FROM {{database}}.aicost_route_names FINAL
) AS names
CROSS JOIN
(
    -- (catalogue_provider_id, tier, kind, factor)
    SELECT groupArray((toString(catalogue_provider_id), tier, toString(kind), factor)) AS rules
    FROM {{database}}.aicost_service_tiers FINAL
) AS tiers
CROSS JOIN
(
    -- Exact self-hosted rates as (patterns, provider_ids, model_ids); prefix ones longest first.
    SELECT
        (groupArrayIf(pattern, match_kind = 'exact'), groupArrayIf(provider_id, match_kind = 'exact'),
         groupArrayIf(model_id, match_kind = 'exact')) AS exact,
        arrayReverseSort(r -> (length(r.1), r.1), groupArrayIf((pattern, provider_id, model_id), match_kind = 'prefix')) AS prefix_list,
        (arrayMap(r -> r.1, prefix_list), arrayMap(r -> r.2, prefix_list), arrayMap(r -> r.3, prefix_list)) AS prefix
    FROM {{database}}.aicost_price_aliases FINAL
    WHERE provider = 'self_hosted'
) AS self_hosted;
