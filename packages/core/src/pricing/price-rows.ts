import type { MatchLogic, ModelInfo, Provider } from '@pydantic/genai-prices';
import { formatDecimal } from '../money/decimal.js';
import { GEN_AI_PROVIDER, PRICE_SOURCE } from '../semconv.js';
import {
  CATALOGUE_PROVIDER_BY_GENAI_NAME,
  CATALOGUE_PROVIDER_IDS,
  constraintHolds,
  findCatalogueModel,
  PRICE_DATA_VERSION,
  priceEntries,
} from './catalogue.js';
import { catalogueData } from './catalogue-data.js';
import { globMatches, isValidAt } from './overrides.js';
import {
  discountSheet,
  getDefaultPricer,
  PriceBook,
  type PricerOptions,
  throughputPricePerMillion,
} from './price-book.js';
import { type PriceKey, type PriceSheet, sheetFromCatalogue } from './sheet.js';

/**
 * One price period of one model, flattened for the SQL price table (`otel.aicost_prices`).
 * Prices are decimal strings in USD per 1M tokens (per 1K requests for `requestsKcount`),
 * at most 12 fractional digits; `null` means the price sheet has no separate price for that
 * kind (it falls back to the wider kind: cache read to input, 1h cache write to cache write...).
 */
export interface PriceRow {
  /** Catalogue provider id; for overrides the provider they name (catalogue id when known). */
  providerId: string;
  /** Catalogue model id; for overrides and self-hosted rates the model pattern as written. */
  modelId: string;
  /** How spans' model names find this row: `catalogue` (the catalogue's rules, see `matchRule`), `exact` or `glob`. */
  matchKind: 'catalogue' | 'exact' | 'glob';
  /** The catalogue's match logic as JSON, or the override's model pattern. */
  matchRule: string;
  /** ISO instant, inclusive (`1970-01-01T00:00:00.000Z` for "always"). */
  validFrom: string;
  /** ISO instant, exclusive; `null` while still valid. */
  validTo: string | null;
  currency: 'USD';
  inputMtok: string | null;
  cacheReadMtok: string | null;
  cacheWriteMtok: string | null;
  cacheWrite5mMtok: string | null;
  cacheWrite1hMtok: string | null;
  outputMtok: string | null;
  outputReasoningMtok: string | null;
  inputAudioMtok: string | null;
  outputAudioMtok: string | null;
  inputImageMtok: string | null;
  outputImageMtok: string | null;
  requestsKcount: string | null;
  /** Above this many input tokens (cache included) the `*Tier` prices apply to the whole request. */
  tierStartTokens: number | null;
  inputMtokTier: string | null;
  cacheReadMtokTier: string | null;
  cacheWriteMtokTier: string | null;
  cacheWrite1hMtokTier: string | null;
  outputMtokTier: string | null;
  /** `genai-prices`, `override` or `self_hosted`. */
  priceSource: string;
  /** `genai-prices@0.1.8`, `genai-prices@0.1.8+<overrides version>` when discounted, or the overrides version. */
  priceVersion: string;
}

/** How a (provider, model) seen on spans finds its catalogue row, in the SQL alias table's shape. */
export interface PriceAlias {
  /** Lower-case `gen_ai.provider.name` value or catalogue provider id. */
  provider: string;
  matchKind: 'exact' | 'prefix' | 'contains';
  /**
   * Lower-case model name (`exact`), model-name prefix (`prefix`, longest wins) or substring
   * (`contains`, tried after the others, lowest `rank` first).
   */
  pattern: string;
  providerId: string;
  modelId: string;
  /** `contains` aliases: the catalogue's order of the rule's model (its model list, then fallback providers). */
  rank?: number;
}

export interface PriceExportOptions extends PricerOptions {
  /** The price book whose overrides to include. Default: one built from the other options, else the default book. */
  pricer?: PriceBook;
  /** Catalogue provider ids to export. Default: all. */
  providers?: readonly string[];
}

const EPOCH = new Date(0);

const COLUMNS: [PriceKey, keyof PriceRow][] = [
  ['input_mtok', 'inputMtok'],
  ['cache_read_mtok', 'cacheReadMtok'],
  ['cache_write_mtok', 'cacheWriteMtok'],
  ['cache_write_5m_mtok', 'cacheWrite5mMtok'],
  ['cache_write_1h_mtok', 'cacheWrite1hMtok'],
  ['output_mtok', 'outputMtok'],
  ['output_reasoning_mtok', 'outputReasoningMtok'],
  ['input_audio_mtok', 'inputAudioMtok'],
  ['output_audio_mtok', 'outputAudioMtok'],
  ['input_image_mtok', 'inputImageMtok'],
  ['output_image_mtok', 'outputImageMtok'],
  ['requests_kcount', 'requestsKcount'],
];
const TIER_COLUMNS: [PriceKey, keyof PriceRow][] = [
  ['input_mtok', 'inputMtokTier'],
  ['cache_read_mtok', 'cacheReadMtokTier'],
  ['cache_write_mtok', 'cacheWriteMtokTier'],
  ['cache_write_1h_mtok', 'cacheWrite1hMtokTier'],
  ['output_mtok', 'outputMtokTier'],
];

/**
 * The price table for SQL: every catalogue model's price periods (discounts applied),
 * then the custom prices and token-based self-hosted rates of the overrides. Deterministic:
 * the same catalogue and overrides give the same rows in the same order.
 *
 * What SQL cannot express is left out, and priced by JavaScript only: models whose catalogue
 * price depends on the time of day (no row at all, so SQL leaves them unpriced rather than
 * pricing part of the day wrong), GPU-hour rates applied to request duration, and price keys
 * the ledger has no count for (web searches, pages...).
 */
export function exportPriceRows(options: PriceExportOptions = {}): PriceRow[] {
  const book = bookFor(options);
  const overrideRows = [...customPriceRows(book), ...selfHostedRows(book)];
  const overridden = new Set(overrideRows.map(rowKey));
  const rows = [...catalogueRows(book, options.providers), ...overrideRows].filter(
    (row) => row.priceSource !== PRICE_SOURCE.CATALOGUE || !overridden.has(rowKey(row)),
  );
  return rows.sort(compareRows);
}

/**
 * The model-name aliases for SQL: for every provider name spans may carry (catalogue ids and
 * `gen_ai.provider.name` values), the catalogue's `equals` rules as `exact` aliases, its
 * `starts_with` rules as `prefix` aliases and its `contains` rules as `contains` aliases
 * ranked in catalogue order (Bedrock ids such as `us.anthropic.claude-3-5-sonnet-20240620-v1:0`),
 * each checked to resolve to the same model through the catalogue's own matching
 * (`regex`/`ends_with` rules are not expressible and are left out); then the overrides'
 * exact names and trailing-`*` globs. An override wins over a catalogue alias with the same
 * (provider, kind, pattern).
 */
export function exportPriceAliases(options: PriceExportOptions = {}): PriceAlias[] {
  const book = bookFor(options);
  const aliases = new Map<string, PriceAlias>();
  const add = (alias: PriceAlias) => {
    const key = `${alias.provider}\u0000${alias.matchKind}\u0000${alias.pattern}`;
    if (!aliases.has(key)) aliases.set(key, alias);
  };
  for (const alias of overrideAliases(book)) add(alias);
  const wanted = new Set(options.providers ?? CATALOGUE_PROVIDER_IDS);
  for (const [name, providerId] of spanProviderNames()) {
    if (!wanted.has(providerId)) continue;
    const provider = catalogueData().findProvider({ providerId });
    if (provider) for (const alias of catalogueAliases(name, provider)) add(alias);
  }
  return [...aliases.values()].sort(
    (a, b) =>
      compare(a.provider, b.provider) ||
      compare(a.matchKind, b.matchKind) ||
      (a.rank ?? 0) - (b.rank ?? 0) ||
      compare(a.pattern, b.pattern),
  );
}

function bookFor(options: PriceExportOptions): PriceBook {
  if (options.pricer) return options.pricer;
  if (options.overrides || options.pricesFile !== undefined || options.env) return new PriceBook(options);
  return getDefaultPricer();
}

function catalogueRows(book: PriceBook, providers: readonly string[] | undefined): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const providerId of providers ?? CATALOGUE_PROVIDER_IDS) {
    const provider = catalogueData().findProvider({ providerId });
    if (!provider || provider.id !== providerId) continue;
    for (const model of provider.models) rows.push(...modelRows(book, provider, model));
  }
  return rows;
}

/**
 * A model's date-based price periods, split where a discount starts or ends, equal neighbours
 * merged. None for a model whose price depends on the time of day (DeepSeek's peak and
 * off-peak hours): the SQL price table has no time-of-day window, and any one of its prices
 * would be wrong for part of the day; such spans stay unpriced in SQL (their aicost cost is
 * computed in JavaScript, which applies the window).
 */
function modelRows(book: PriceBook, provider: Provider, model: ModelInfo): PriceRow[] {
  const entries = priceEntries(model);
  if (entries.length === 0 || hasTimeOfDayPrice(model)) return [];
  const discounts = book.overrides.discounts.filter(
    (discount) =>
      (globMatches(discount.provider, provider.id) ||
        genaiNamesOf(provider.id).some((name) => globMatches(discount.provider, name))) &&
      globMatches(discount.model, model.id),
  );
  const boundaries = new Set<number>([EPOCH.getTime()]);
  for (const entry of entries) {
    if (entry.constraint?.type === 'start_date')
      boundaries.add(Date.parse(`${entry.constraint.start_date}T00:00:00Z`));
  }
  for (const discount of discounts) {
    if (discount.validFrom) boundaries.add(discount.validFrom.getTime());
    if (discount.validTo) boundaries.add(discount.validTo.getTime());
  }
  const starts = [...boundaries].sort((a, b) => a - b);
  const rows: PriceRow[] = [];
  starts.forEach((start, index) => {
    const at = new Date(start);
    let prices = entries[0]!.prices;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (constraintHolds(entries[i]!.constraint, at)) {
        prices = entries[i]!.prices;
        break;
      }
    }
    let sheet = sheetFromCatalogue(prices);
    if (Object.keys(sheet).length === 0) return;
    const discount = discounts.find((entry) => isValidAt(entry, at));
    if (discount) sheet = discountSheet(sheet, discount.percent);
    const next = starts[index + 1];
    const row = sheetRow(sheet, {
      providerId: provider.id,
      modelId: model.id,
      matchKind: 'catalogue',
      matchRule: JSON.stringify(model.match),
      validFrom: at.toISOString(),
      validTo: next === undefined ? null : new Date(next).toISOString(),
      priceSource: discount ? PRICE_SOURCE.OVERRIDE : PRICE_SOURCE.CATALOGUE,
      priceVersion: discount ? `${PRICE_DATA_VERSION}+${book.overrides.version}` : PRICE_DATA_VERSION,
    });
    const previous = rows.at(-1);
    if (previous && samePrices(previous, row)) previous.validTo = row.validTo;
    else rows.push(row);
  });
  return rows;
}

function customPriceRows(book: PriceBook): PriceRow[] {
  return book.overrides.prices.map((entry) =>
    sheetRow(entry.prices, {
      providerId: catalogueIdOf(entry.provider),
      modelId: entry.model,
      matchKind: /[*?]/.test(entry.model) ? 'glob' : 'exact',
      matchRule: entry.model,
      validFrom: (entry.validFrom ?? EPOCH).toISOString(),
      validTo: entry.validTo?.toISOString() ?? null,
      priceSource: PRICE_SOURCE.OVERRIDE,
      priceVersion: book.overrides.version,
    }),
  );
}

function selfHostedRows(book: PriceBook): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const entry of book.overrides.selfHosted) {
    if (entry.basis === 'gpu_hour_duration') continue;
    const sheet: PriceSheet =
      entry.basis === 'tokens'
        ? entry.prices
        : {
            input_mtok: { base: throughputPricePerMillion(entry), tiers: [] },
            output_mtok: { base: throughputPricePerMillion(entry), tiers: [] },
          };
    rows.push(
      sheetRow(sheet, {
        providerId: entry.provider,
        modelId: entry.model,
        matchKind: /[*?]/.test(entry.model) ? 'glob' : 'exact',
        matchRule: entry.model,
        validFrom: (entry.validFrom ?? EPOCH).toISOString(),
        validTo: entry.validTo?.toISOString() ?? null,
        priceSource: PRICE_SOURCE.SELF_HOSTED,
        priceVersion: book.overrides.version,
      }),
    );
  }
  return rows;
}

type RowHead = Pick<
  PriceRow,
  | 'providerId'
  | 'modelId'
  | 'matchKind'
  | 'matchRule'
  | 'validFrom'
  | 'validTo'
  | 'priceSource'
  | 'priceVersion'
>;

function sheetRow(sheet: PriceSheet, head: RowHead): PriceRow {
  const row: Record<string, unknown> = { ...head, currency: 'USD', tierStartTokens: null };
  for (const [key, column] of COLUMNS) {
    const price = sheet[key];
    row[column] = price ? formatDecimal(price.base) : null;
  }
  for (const [key, column] of TIER_COLUMNS) {
    const tier = sheet[key]?.tiers[0];
    row[column] = tier ? formatDecimal(tier.price) : null;
    if (tier && row.tierStartTokens === null) row.tierStartTokens = tier.start;
  }
  return row as unknown as PriceRow;
}

function samePrices(a: PriceRow, b: PriceRow): boolean {
  const fields = [...COLUMNS, ...TIER_COLUMNS].map(([, column]) => column);
  return (
    fields.every((field) => a[field] === b[field]) &&
    a.tierStartTokens === b.tierStartTokens &&
    a.priceSource === b.priceSource &&
    a.priceVersion === b.priceVersion
  );
}

/** Whether any of the model's catalogue prices applies only at some hours of the day. */
function hasTimeOfDayPrice(model: ModelInfo): boolean {
  return priceEntries(model).some((entry) => entry.constraint?.type === 'time_of_date');
}

function catalogueAliases(name: string, provider: Provider): PriceAlias[] {
  const aliases: PriceAlias[] = [];
  const homes = [
    provider,
    ...(provider.fallback_model_providers ?? []).map((id) =>
      catalogueData().findProvider({ providerId: id }),
    ),
  ];
  // The catalogue tries models in list order, then the fallback providers' lists.
  let rank = 0;
  for (const home of homes) {
    if (!home) continue;
    for (const model of home.models) {
      rank += 1;
      const rules: [PriceAlias['matchKind'], string][] = [
        ['exact', model.id.toLowerCase()],
        ...anchors(model.match).map(([kind, pattern]): [PriceAlias['matchKind'], string] => [
          kind,
          pattern.toLowerCase(),
        ]),
      ];
      for (const [matchKind, pattern] of rules) {
        if (!pattern) continue;
        // Keep only what the catalogue's own matching agrees with: SQL must not price differently.
        const found = findCatalogueModel(provider, pattern);
        if (found?.model.id !== model.id || found.homeProviderId !== home.id) continue;
        const alias: PriceAlias = {
          provider: name,
          matchKind,
          pattern,
          providerId: home.id,
          modelId: model.id,
        };
        aliases.push(matchKind === 'contains' ? { ...alias, rank } : alias);
      }
    }
  }
  return aliases;
}

/** The `equals`, `starts_with` and `contains` rules of a match logic (inside `or`, and the anchors of an `and`). */
function anchors(logic: MatchLogic): [PriceAlias['matchKind'], string][] {
  if ('equals' in logic) return [['exact', logic.equals]];
  if ('starts_with' in logic) return [['prefix', logic.starts_with]];
  if ('contains' in logic) return [['contains', logic.contains]];
  if ('or' in logic) return logic.or.flatMap(anchors);
  if ('and' in logic)
    return logic.and.flatMap((part) => ('equals' in part || 'starts_with' in part ? anchors(part) : []));
  return [];
}

function overrideAliases(book: PriceBook): PriceAlias[] {
  const aliases: PriceAlias[] = [];
  const entries = [
    ...book.overrides.prices.map((entry) => ({ ...entry, providerId: catalogueIdOf(entry.provider) })),
    ...book.overrides.selfHosted
      .filter((entry) => entry.basis !== 'gpu_hour_duration')
      .map((entry) => ({ ...entry, providerId: entry.provider })),
  ];
  for (const entry of entries) {
    if (entry.provider === '*' || /[*?]/.test(entry.provider)) continue;
    const alias = modelAlias(entry.model);
    if (!alias) continue;
    for (const provider of new Set([
      entry.provider.toLowerCase(),
      entry.providerId,
      ...genaiNamesOf(entry.providerId),
    ])) {
      aliases.push({ provider, ...alias, providerId: entry.providerId, modelId: entry.model });
    }
  }
  return aliases;
}

/** An override pattern as an alias: no wildcard is `exact`, one trailing `*` is `prefix`, others have none. */
function modelAlias(pattern: string): Pick<PriceAlias, 'matchKind' | 'pattern'> | undefined {
  if (!/[*?]/.test(pattern)) return { matchKind: 'exact', pattern: pattern.toLowerCase() };
  const prefix = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !/[*?]/.test(prefix) && prefix)
    return { matchKind: 'prefix', pattern: prefix.toLowerCase() };
  return undefined;
}

/** Every provider name spans may carry, with its catalogue provider id. */
function spanProviderNames(): [string, string][] {
  const names = new Map<string, string>(CATALOGUE_PROVIDER_IDS.map((id) => [id, id]));
  for (const [name, id] of Object.entries(CATALOGUE_PROVIDER_BY_GENAI_NAME)) names.set(name, id);
  return [...names.entries()].sort(([a], [b]) => compare(a, b));
}

function genaiNamesOf(providerId: string): string[] {
  return Object.entries(CATALOGUE_PROVIDER_BY_GENAI_NAME)
    .filter(([, id]) => id === providerId)
    .map(([name]) => name);
}

function catalogueIdOf(provider: string): string {
  const name = provider.toLowerCase();
  if (name === GEN_AI_PROVIDER.SELF_HOSTED) return name;
  return CATALOGUE_PROVIDER_BY_GENAI_NAME[name] ?? name;
}

function rowKey(row: PriceRow): string {
  return `${row.providerId}\u0000${row.modelId}\u0000${row.validFrom}`;
}

function compareRows(a: PriceRow, b: PriceRow): number {
  return (
    compare(a.providerId, b.providerId) || compare(a.modelId, b.modelId) || compare(a.validFrom, b.validFrom)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
