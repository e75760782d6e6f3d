import {
  catalogueProviderById,
  catalogueProviderForAddress,
  findCatalogueModel,
  findCatalogueModelAnyProvider,
} from '../pricing/catalogue.js';
import { GEN_AI_PROVIDER, PRICE_MATCH, type PriceMatch } from '../semconv.js';
import type { HostMappings } from './host-mappings.js';
import { providerByCatalogueId, providerByHost, providerByModelPrefix, providerByName } from './lookup.js';
import { OPEN_WEIGHT_MODEL_FAMILIES, type ProviderRecord } from './registry.js';

/** A call as pricing sees it before it is matched to a price. */
export interface RouteInput {
  /** `gen_ai.provider.name` the span carries. */
  provider: string;
  model: string;
  serverAddress?: string;
  serverPort?: number;
}

/** Who prices a call, and how that was decided. */
export interface Route {
  /** `gen_ai.provider.name` (or catalogue id) whose price applies; `self_hosted` for the user's rate. */
  provider: string;
  /** The model id to look up under that provider (a gateway prefix removed). */
  model: string;
  match: PriceMatch;
}

/**
 * The rule "price by model, wherever the call goes":
 *
 * 1. a host the user mapped is that provider (`user_host_mapping`);
 * 2. a provider's known API host is that provider (`host`): the registry's hosts, then the
 *    catalogue's API URL patterns;
 * 3. on any other host (a gateway, a proxy, a private or loopback address), when the span names
 *    only the wire format (`openai`, or `self_hosted` inferred from the address), the model id decides:
 *    - an open-weight model many hosts serve (Llama, Qwen, gpt-oss...) is self-hosted (`open_weight`);
 *    - a gateway-prefixed id of a known vendor is that vendor's model (`model_id_prefixed`);
 *    - a catalogue model is its provider's (`model_id`);
 *    - anything else is self-hosted (`unknown_model`);
 * 4. otherwise the span's provider name decides (`provider_name`): an SDK that speaks one
 *    provider's protocol (Anthropic, Bedrock, Azure) calls that provider through any proxy, and
 *    a span without a server (Vercel AI's legacy spans, OpenInference) is taken at its word; a
 *    self-hosted server's name (`ollama`, `vllm`) is `self_hosted`, priced by the user's rate.
 *
 * A gateway host the registry knows without a catalogue of its own (Portkey, a mapped LiteLLM)
 * routes by model id too.
 */
export function routeCall(input: RouteInput, hosts: HostMappings): Route {
  const address = input.serverAddress?.trim().toLowerCase();
  if (address) {
    const mapped = hosts.lookup(address, input.serverPort);
    if (mapped) {
      const record = providerByName(mapped);
      if (record && record.kind === 'gateway' && !record.catalogueId) return byModel(input);
      return { provider: mapped, model: input.model, match: PRICE_MATCH.USER_HOST_MAPPING };
    }
    const known = providerByHost(address);
    if (known) {
      if (known.kind === 'gateway' && !known.catalogueId) return byModel(input);
      return { provider: known.genaiName, model: input.model, match: PRICE_MATCH.HOST };
    }
    const catalogued = catalogueProviderForAddress(address);
    if (catalogued) {
      const record = providerByCatalogueId(catalogued.id);
      return { provider: record?.genaiName ?? catalogued.id, model: input.model, match: PRICE_MATCH.HOST };
    }
  }
  // Without a server there is no host to doubt: the name decides, as the SQL price table does.
  const named = providerByName(input.provider);
  if (address && isGenericName(named)) return byModel(input);
  // A self-hosted server's own SDK (Ollama) runs the user's models, whatever they are called.
  if (named?.kind === 'self_hosted') {
    return { provider: GEN_AI_PROVIDER.SELF_HOSTED, model: input.model, match: PRICE_MATCH.PROVIDER_NAME };
  }
  return { provider: input.provider, model: input.model, match: PRICE_MATCH.PROVIDER_NAME };
}

/**
 * Names that, on a host nobody declared, say which wire format a client speaks rather than who
 * serves it: the OpenAI-compatible `openai` (any host speaks it), and `self_hosted` (inferred from
 * a private address or a local server's port; a declared host is a user mapping). An unknown
 * name is taken as written.
 */
function isGenericName(record: ProviderRecord | undefined): boolean {
  return record?.key === 'OPENAI' || record?.key === 'SELF_HOSTED';
}

/** Routes by model id, remembered per id: the few models a process calls are matched once. */
function byModel(input: RouteInput): Route {
  let route = routesByModel.get(input.model);
  if (!route) {
    route = Object.freeze(routeByModel(input.model));
    if (routesByModel.size >= MODEL_ROUTE_CACHE_LIMIT) routesByModel.clear();
    routesByModel.set(input.model, route);
  }
  return route;
}

const MODEL_ROUTE_CACHE_LIMIT = 2000;
const routesByModel = new Map<string, Readonly<Route>>();

function routeByModel(rawModel: string): Route {
  const model = rawModel.trim();
  const lower = model.toLowerCase();
  const slash = lower.indexOf('/');
  const bare = lower.slice(lower.lastIndexOf('/') + 1);
  if (isOpenWeightModel(bare)) return selfHosted(model, PRICE_MATCH.OPEN_WEIGHT);
  if (slash > 0) {
    const vendor = providerByModelPrefix(lower.slice(0, slash));
    const unprefixed = model.slice(slash + 1);
    const catalogueProvider = vendor?.catalogueId ? catalogueProviderById(vendor.catalogueId) : undefined;
    if (vendor && catalogueProvider && findCatalogueModel(catalogueProvider, unprefixed)) {
      return { provider: vendor.genaiName, model: unprefixed, match: PRICE_MATCH.MODEL_ID_PREFIXED };
    }
  } else {
    const found = findCatalogueModelAnyProvider(model);
    if (found) {
      const record = providerByCatalogueId(found.provider.id);
      return { provider: record?.genaiName ?? found.provider.id, model, match: PRICE_MATCH.MODEL_ID };
    }
  }
  return selfHosted(model, PRICE_MATCH.UNKNOWN_MODEL);
}

function selfHosted(model: string, match: PriceMatch): Route {
  return { provider: GEN_AI_PROVIDER.SELF_HOSTED, model, match };
}

const OPEN_WEIGHT_PATTERNS = OPEN_WEIGHT_MODEL_FAMILIES.map(({ pattern }) => new RegExp(pattern));

/** Whether a lower-case model id without its `vendor/` prefix belongs to an open-weight family. */
export function isOpenWeightModel(bareModel: string): boolean {
  return OPEN_WEIGHT_PATTERNS.some((pattern) => pattern.test(bareModel));
}
