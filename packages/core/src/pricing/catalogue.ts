import type { ConditionalPrice, calcPrice, ModelInfo, ModelPrice, Provider } from '@pydantic/genai-prices';
import { providerNames } from '../providers/lookup.js';
import { GEN_AI_PROVIDER } from '../semconv.js';
import { CatalogueNotLoadedError, catalogueData } from './catalogue-data.js';

/** The price catalogue and its version, written on every cost as `aicost.price.version`. */
export const PRICE_DATA_PACKAGE = '@pydantic/genai-prices';
export const PRICE_DATA_VERSION = 'genai-prices@0.1.8';

/**
 * Provider ids of the bundled catalogue (it exports no list; the pinned version's ids,
 * checked by a test against the package's data).
 */
export const CATALOGUE_PROVIDER_IDS = [
  'anthropic',
  'arcee',
  'avian',
  'aws',
  'azure',
  'baseten',
  'cerebras',
  'cloudflare',
  'cohere',
  'cursor',
  'deepseek',
  'doubleword',
  'fireworks',
  'github-copilot',
  'google',
  'groq',
  'huggingface_cerebras',
  'huggingface_fireworks-ai',
  'huggingface_groq',
  'huggingface_hyperbolic',
  'huggingface_nebius',
  'huggingface_novita',
  'huggingface_nscale',
  'huggingface_ovhcloud',
  'huggingface_publicai',
  'huggingface_sambanova',
  'huggingface_together',
  'minimax',
  'mistral',
  'modal',
  'moonshotai',
  'novita',
  'openai',
  'openrouter',
  'ovhcloud',
  'perplexity',
  'quicksilverpro',
  'together',
  'typesafe',
  'voyageai',
  'x-ai',
  'zai',
  'zhipuai',
] as const;

/**
 * `gen_ai.provider.name` values and the other spellings spans carry (legacy `gen_ai.system`,
 * other instrumentations' names) to catalogue provider ids, from the provider registry.
 * Needed because the catalogue's own fuzzy provider matching would take `azure.ai.openai`
 * for `openai`.
 */
export const CATALOGUE_PROVIDER_BY_GENAI_NAME: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    providerNames()
      .filter(([, record]) => record.catalogueId !== undefined)
      .map(([name, record]) => [name, record.catalogueId as string]),
  ),
);

/** Provider names that mean "an OpenAI-compatible client": the server address may say better. */
const GENERIC_OPENAI_NAMES = new Set<string>([GEN_AI_PROVIDER.OPENAI]);

/**
 * The catalogue provider for a span's provider name, using the server address as a hint:
 * an `openai` client talking to `api.groq.com` is priced as Groq, and an unknown provider
 * name is recognised by its API host. `undefined` when neither says.
 */
export function resolveCatalogueProvider(provider: string, serverAddress?: string): Provider | undefined {
  const name = provider.trim().toLowerCase();
  if (name === GEN_AI_PROVIDER.SELF_HOSTED) return undefined;
  const byAddress = serverAddress ? catalogueProviderForAddress(serverAddress) : undefined;
  if (byAddress && GENERIC_OPENAI_NAMES.has(name)) return byAddress;
  const mapped = CATALOGUE_PROVIDER_BY_GENAI_NAME[name];
  if (mapped) return catalogueProviderById(mapped);
  return catalogueProviderById(name) ?? byAddress;
}

/** The catalogue's lookup scans its providers: remembered per id (names come from a short list). */
const providerCache = new Map<string, Provider | null>();

export function catalogueProviderById(id: string): Provider | undefined {
  const cached = providerCache.get(id);
  if (cached !== undefined) return cached ?? undefined;
  const found = catalogueData().findProvider({ providerId: id });
  if (providerCache.size >= MODEL_CACHE_LIMIT) providerCache.clear();
  providerCache.set(id, found ?? null);
  return found;
}

/** Matching an address runs every provider's URL pattern: remembered per address (a process talks to few hosts). */
const addressCache = new Map<string, Provider | null>();

export function catalogueProviderForAddress(serverAddress: string): Provider | undefined {
  const cached = addressCache.get(serverAddress);
  if (cached !== undefined) return cached ?? undefined;
  const address = serverAddress.trim().toLowerCase();
  const url = /^https?:\/\//.test(address) ? address : `https://${address}`;
  const found = address ? catalogueData().findProvider({ providerApiUrl: url }) : undefined;
  if (addressCache.size >= MODEL_CACHE_LIMIT) addressCache.clear();
  addressCache.set(serverAddress, found ?? null);
  return found;
}

export interface CatalogueModel {
  /** The provider the request went to. */
  provider: Provider;
  /** The provider whose model list holds the model (differs for fallbacks, e.g. Azure serving OpenAI models). */
  homeProviderId: string;
  model: ModelInfo;
}

const MODEL_CACHE_LIMIT = 2000;
const modelCache = new Map<string, CatalogueModel | null>();
const anyProviderCache = new Map<string, CatalogueModel | null>();

/**
 * The catalogue model for a model id alone, under the provider whose model-name rules claim it
 * (`gpt-*` is OpenAI's, `claude*` Anthropic's), with the catalogue's own matching. Cached.
 */
export function findCatalogueModelAnyProvider(model: string): CatalogueModel | undefined {
  const cached = anyProviderCache.get(model);
  if (cached !== undefined) return cached ?? undefined;
  let found: CatalogueModel | undefined;
  try {
    const result = catalogueData().calcPrice({}, model);
    if (result)
      found = { provider: result.provider, homeProviderId: result.provider.id, model: result.model };
  } catch (error) {
    if (error instanceof CatalogueNotLoadedError) throw error; // not an answer to remember
    found = undefined;
  }
  if (anyProviderCache.size >= MODEL_CACHE_LIMIT) anyProviderCache.clear();
  anyProviderCache.set(model, found ?? null);
  return found;
}

/**
 * The catalogue model for a model name under a provider, with the catalogue's own matching
 * (its `match` rules, date-suffix normalisation and fallback providers). Cached per pair.
 */
export function findCatalogueModel(provider: Provider, model: string): CatalogueModel | undefined {
  const key = `${provider.id}\u0000${model}`;
  const cached = modelCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookupModel(provider, model);
  if (modelCache.size >= MODEL_CACHE_LIMIT) modelCache.clear();
  modelCache.set(key, found ?? null);
  return found;
}

function lookupModel(provider: Provider, model: string): CatalogueModel | undefined {
  let result: ReturnType<typeof calcPrice>;
  try {
    // Only the lookup is used: the catalogue's float totals for empty usage are ignored.
    // By id, not by object: given a provider object the catalogue matches against a copy of it.
    result = catalogueData().calcPrice({}, model, { providerId: provider.id });
  } catch (error) {
    if (error instanceof CatalogueNotLoadedError) throw error; // not an answer to remember
    return undefined;
  }
  if (!result) return undefined;
  return { provider, homeProviderId: homeProviderOf(provider, result.model), model: result.model };
}

function homeProviderOf(provider: Provider, model: ModelInfo): string {
  if (provider.models.includes(model)) return provider.id;
  for (const fallbackId of provider.fallback_model_providers ?? []) {
    const fallback = catalogueData().findProvider({ providerId: fallbackId });
    if (fallback?.models.includes(model)) return fallback.id;
  }
  return provider.id;
}

/** The model's price entries, in catalogue order (one unconstrained entry for a model without history). */
export function priceEntries(model: ModelInfo): ConditionalPrice[] {
  return Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
}

/**
 * The catalogue's prices for an instant, exactly as the catalogue chooses them: the LAST
 * entry whose constraint holds (a `start_date` on or before the instant, or a UTC
 * time-of-day window containing it), else the first entry.
 */
export function pricesAt(model: ModelInfo, at: Date): ModelPrice {
  const entries = priceEntries(model);
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (constraintHolds(entry.constraint, at)) return entry.prices;
  }
  return entries[0]!.prices;
}

export function constraintHolds(constraint: ConditionalPrice['constraint'], at: Date): boolean {
  if (constraint === undefined) return true;
  if (constraint.type === 'start_date')
    return at.getTime() >= Date.parse(`${constraint.start_date}T00:00:00Z`);
  if (constraint.type === 'time_of_date') {
    const secondOfDay =
      at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds() + at.getUTCMilliseconds() / 1000;
    const start = secondOfDayUTC(constraint.start_time);
    const end = secondOfDayUTC(constraint.end_time);
    if (start === undefined || end === undefined) return false;
    return end < start
      ? secondOfDay >= start || secondOfDay < end
      : secondOfDay >= start && secondOfDay < end;
  }
  return false;
}

/** `"16:30:00Z"` or `"08:00:00+08:00"` as seconds after UTC midnight. */
function secondOfDayUTC(time: string): number | undefined {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(time);
  if (!match) return undefined;
  const [, hours, minutes, seconds, fraction = '', zone, sign, offsetHours = '0', offsetMinutes = '0'] =
    match;
  const local =
    Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(`0.${fraction || '0'}`);
  const offset =
    zone === 'Z' ? 0 : (sign === '+' ? 1 : -1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60);
  return (local - offset + 86400) % 86400;
}
