-- Version 6: spans that reach the store without a cost are priced by @aicost/core's rule for
-- who prices a call (host vs model, 012_routing.sql and 015's aicost_route) and under their
-- served service tier's rule (multiplier, committed), as the SDK and its cost processor price
-- them. The Null tables get server_port (for host:port mappings); the pricing view is refreshed
-- before aicost_spans_mv starts writing it (downstream first), and it defaults to '' meanwhile:
-- no span lost or doubled. The routing tables are new tables (created by the schema files);
-- empty, they mean the previous rule. price_match's comment names the new matches.
-- @refresh aicost_spans_mv aicost_spans_to_price_mv aicost_requests_priced_mv
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    ADD COLUMN IF NOT EXISTS server_port String DEFAULT '';
ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    ADD COLUMN IF NOT EXISTS server_port String DEFAULT '';
ALTER TABLE {{database}}.aicost_requests{{local}}{{on_cluster}}
    COMMENT COLUMN price_match 'how the call was matched to its price (aicost.price.match): host, user_host_mapping, provider_name, model_id, model_id_prefixed, open_weight, unknown_model or self_hosted_rate';
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    COMMENT COLUMN price_match 'how the call was matched to its price (aicost.price.match): host, user_host_mapping, provider_name, model_id, model_id_prefixed, open_weight, unknown_model or self_hosted_rate';
ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    COMMENT COLUMN price_match 'how the call was matched to its price (aicost.price.match): host, user_host_mapping, provider_name, model_id, model_id_prefixed, open_weight, unknown_model or self_hosted_rate';
