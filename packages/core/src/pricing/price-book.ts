import { diag } from '@opentelemetry/api';
import { isInvalidUsage, validateUsage } from '../ledger/usage.js';
import { addBreakdowns, makeBreakdown } from '../money/breakdown.js';
import { type Decimal, discountDecimal, parseDecimal, pow10 } from '../money/decimal.js';
import { divideRoundHalfUp, formatNanos, nanosOfRatio } from '../money/nanos.js';
import {
  getHostMappings,
  type HostMappings,
  type HostMappingsInput,
  parseHostMappings,
} from '../providers/host-mappings.js';
import { type Route, routeCall } from '../providers/routing.js';
import {
  COST_STATUS,
  COST_STATUS_REASON,
  type CostStatusReason,
  ENV,
  GEN_AI_PROVIDER,
  PRICE_MATCH,
  PRICE_SOURCE,
} from '../semconv.js';
import type { CostBreakdown, CostResult, Nanos, PricingRequest, ReportedCost, TokenUsage } from '../types.js';
import {
  CATALOGUE_PROVIDER_BY_GENAI_NAME,
  type CatalogueModel,
  findCatalogueModel,
  PRICE_DATA_VERSION,
  pricesAt,
  resolveCatalogueProvider,
} from './catalogue.js';
import {
  type CustomPrice,
  type Discount,
  emptyOverrides,
  globMatches,
  isValidAt,
  loadPriceOverridesFile,
  type PriceOverrides,
  type PriceOverridesInput,
  parsePriceOverrides,
  type SelfHostedRate,
} from './overrides.js';
import { reportedCostNanos } from './reported-cost.js';
import { SERVICE_TIER_RULES_VERSION, serviceTierRule } from './service-tiers.js';
import { costFromSheet, PRICE_SCALE, type PriceSheet, roundPrice, sheetFromCatalogue } from './sheet.js';

export interface PricerOptions {
  /** Overrides given in code (same shape as the overrides file). Applied after the file's, so they win. */
  overrides?: PriceOverridesInput;
  /**
   * A JSON or YAML overrides file. Default: the `AICOST_PRICES_FILE` environment variable;
   * `false` ignores the environment. A file that cannot be read or validated is logged and ignored.
   */
  pricesFile?: string | false;
  /** Environment to read `AICOST_PRICES_FILE` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Who serves which host, for this book only. Default: the process-wide mappings
   * (`register({ hosts })`, `AICOST_HOSTS`), read at each call.
   */
  hosts?: HostMappingsInput;
}

const WARNED_LIMIT = 1000;

/**
 * Prices token ledgers from the catalogue plus the user's overrides. Holds the validated
 * overrides and remembers which (provider, model) pairs it already warned about.
 *
 * First the call is routed to the provider whose price applies (`routeCall`: a known or mapped
 * host decides, elsewhere the model id), written as `aicost.price.match`. Then, in order:
 * 1. a custom price (`prices`) matching provider and model: status `override`;
 * 2. a self-hosted rate (`self_hosted`): `override` for token prices, `estimated` for GPU-hour rates;
 * 3. a cost the provider reported itself: `provider_reported`, with the exact reported amount
 *    and the list-price total beside it;
 * 4. the catalogue at the request's timestamp, under the served service tier's rule
 *    (`service-tiers.ts`; no rule: `unpriced` / `unknown_service_tier`, provisioned capacity:
 *    `committed`), with a matching discount applied: `priced` (or `override` when discounted).
 */
export class PriceBook {
  readonly overrides: PriceOverrides;
  /** Problems found in the overrides (they were ignored). */
  readonly overrideErrors: readonly string[];
  private readonly warned = new Set<string>();
  private readonly hosts: HostMappings | undefined;

  constructor(options: PricerOptions = {}) {
    const { overrides, errors } = loadOverrides(options);
    this.overrides = overrides;
    if (options.hosts !== undefined) {
      const parsed = parseHostMappings(options.hosts);
      this.hosts = parsed.mappings;
      errors.push(...parsed.errors);
    }
    this.overrideErrors = errors;
    for (const error of errors) diag.error(`aicost: price overrides ignored: ${error}`);
  }

  /** The cost of one request. Never throws: what cannot be priced comes back `unpriced` with a reason. */
  priceUsage(request: PricingRequest): CostResult {
    try {
      return this.price(request);
    } catch (error) {
      this.warnOnce('internal', request, () => `aicost: pricing failed: ${(error as Error).message}`);
      return unpriced(COST_STATUS_REASON.INVALID_USAGE);
    }
  }

  private price(request: PricingRequest): CostResult {
    const at = validDate(request.timestamp) ?? new Date();
    if (request.usage === undefined || request.usage === null)
      return unpriced(COST_STATUS_REASON.MISSING_USAGE);
    const usage = validateUsage(request.usage);
    if (isInvalidUsage(usage)) {
      this.warnOnce(
        'invalid',
        request,
        () => `aicost: invalid token usage for ${describe(request)}: ${usage.message}`,
      );
      return unpriced(COST_STATUS_REASON.INVALID_USAGE);
    }

    const route = routeCall(request, this.hosts ?? getHostMappings());
    const routed: PricingRequest =
      route.provider === request.provider ? request : { ...request, provider: route.provider };

    const custom = this.overrides.prices.find((entry) => this.appliesTo(entry, routed, at));
    if (custom) return { ...this.fromCustomPrice(custom, routed, usage), match: route.match };

    // A rate may name the server the span names (`provider: ollama`) as well as `self_hosted`.
    const selfHosted = this.overrides.selfHosted.find(
      (entry) =>
        this.appliesTo(entry, routed, at) ||
        (routed !== request && isSelfHosted(routed.provider) && this.appliesTo(entry, request, at)),
    );
    if (selfHosted) {
      return { ...this.fromSelfHostedRate(selfHosted, routed, usage), match: PRICE_MATCH.SELF_HOSTED_RATE };
    }
    if (isSelfHosted(routed.provider)) {
      // Named as the span names it (`ollama`, not the `self_hosted` it is routed to): what the user's rate matches.
      this.warnOnce(
        'self_hosted',
        request,
        () =>
          `aicost: no self-hosted rate for ${describe(request)} (${route.match}); cost left unknown. Add a self_hosted rate, or map the host to its provider with AICOST_HOSTS`,
      );
      return { ...unpriced(COST_STATUS_REASON.SELF_HOSTED_NO_RATE), match: route.match };
    }

    const reported = reportedCostOf(request);
    if (reported) {
      const computed = this.fromCatalogue(routed, route, usage, at, true);
      const result: CostResult = {
        status: COST_STATUS.PROVIDER_REPORTED,
        currency: 'USD',
        cost: makeBreakdown({ other: reported.nanos }),
        priceSource: PRICE_SOURCE.PROVIDER,
        priceVersion: PRICE_SOURCE.PROVIDER,
        match: route.match,
        reported: reported.cost,
      };
      if (computed.cost && computed.status !== COST_STATUS.UNPRICED)
        result.computedTotal = computed.cost.total;
      return result;
    }
    return this.fromCatalogue(routed, route, usage, at);
  }

  private fromCatalogue(
    request: PricingRequest,
    route: Route,
    usage: TokenUsage,
    at: Date,
    quiet = false,
  ): CostResult {
    const warn = quiet ? () => {} : this.warnOnce.bind(this);
    const provider = resolveCatalogueProvider(request.provider, request.serverAddress);
    if (!provider) {
      warn('provider', request, () => `aicost: unknown provider for ${describe(request)}; cost left unknown`);
      return { ...unpriced(COST_STATUS_REASON.UNKNOWN_PROVIDER), match: route.match };
    }
    const tier = serviceTierRule(provider.id, request.serviceTier);
    if (!tier) {
      warn(
        'tier',
        request,
        () =>
          `aicost: no reviewed price rule for service tier "${request.serviceTier}" of ${describe(request)}; cost left unknown`,
      );
      return { ...unpriced(COST_STATUS_REASON.UNKNOWN_SERVICE_TIER), match: route.match };
    }
    const found = findCatalogueModel(provider, route.model);
    if (tier.kind === 'committed') {
      const committed: CostResult = { status: COST_STATUS.COMMITTED, currency: 'USD', match: route.match };
      if (found) {
        committed.providerId = found.homeProviderId;
        committed.modelId = found.model.id;
      }
      return committed;
    }
    if (!found) {
      warn('model', request, () => `aicost: no price for ${describe(request)}; cost left unknown`);
      return { ...unpriced(COST_STATUS_REASON.UNKNOWN_MODEL), match: route.match };
    }
    let sheet = catalogueSheet(pricesAt(found.model, at));
    if (Object.keys(sheet).length === 0) {
      warn('unit', request, () => `aicost: ${describe(request)} is not priced per token; cost left unknown`);
      return { ...unpriced(COST_STATUS_REASON.UNKNOWN_MODEL), match: route.match };
    }
    if (tier.kind === 'multiplier') sheet = scaleSheet(sheet, tier.factor);
    const discount = this.overrides.discounts.find((entry) =>
      this.discountApplies(entry, request, found, at),
    );
    if (discount) sheet = discountSheet(sheet, discount.percent);
    const cost = costFromSheet(sheet, usage);
    if (isInvalidUsage(cost)) return this.invalid(request, cost.message);
    let priceVersion = discount ? `${PRICE_DATA_VERSION}+${this.overrides.version}` : PRICE_DATA_VERSION;
    if (tier.kind === 'multiplier') priceVersion += `+${SERVICE_TIER_RULES_VERSION}`;
    return {
      status: discount ? COST_STATUS.OVERRIDE : COST_STATUS.PRICED,
      currency: 'USD',
      cost,
      priceSource: discount ? PRICE_SOURCE.OVERRIDE : PRICE_SOURCE.CATALOGUE,
      priceVersion,
      providerId: found.homeProviderId,
      modelId: found.model.id,
      match: route.match,
    };
  }

  private fromCustomPrice(entry: CustomPrice, request: PricingRequest, usage: TokenUsage): CostResult {
    const cost = costFromSheet(entry.prices, usage);
    if (isInvalidUsage(cost)) return this.invalid(request, cost.message);
    return {
      status: COST_STATUS.OVERRIDE,
      currency: 'USD',
      cost,
      priceSource: PRICE_SOURCE.OVERRIDE,
      priceVersion: this.overrides.version,
      providerId: catalogueProviderId(request),
      modelId: request.model,
    };
  }

  private fromSelfHostedRate(entry: SelfHostedRate, request: PricingRequest, usage: TokenUsage): CostResult {
    const base = {
      currency: 'USD' as const,
      priceSource: PRICE_SOURCE.SELF_HOSTED,
      priceVersion: this.overrides.version,
      providerId: request.provider,
      modelId: request.model,
    };
    if (entry.basis === 'gpu_hour_duration') {
      const seconds =
        request.durationSeconds === undefined ? undefined : parseDecimal(request.durationSeconds);
      if (!seconds || seconds.units < 0n) return unpriced(COST_STATUS_REASON.MISSING_USAGE);
      const other = nanosOfRatio([entry.gpuHourUsd, entry.gpus, seconds], [{ units: 3600n, scale: 0 }]);
      return {
        ...base,
        status: COST_STATUS.ESTIMATED,
        reason: SELF_HOSTED_ESTIMATE,
        cost: makeBreakdown({ other }),
      };
    }
    const sheet = entry.basis === 'tokens' ? entry.prices : throughputSheet(entry);
    const cost = costFromSheet(sheet, usage);
    if (isInvalidUsage(cost)) return this.invalid(request, cost.message);
    return entry.basis === 'tokens'
      ? { ...base, status: COST_STATUS.OVERRIDE, cost }
      : { ...base, status: COST_STATUS.ESTIMATED, reason: SELF_HOSTED_ESTIMATE, cost };
  }

  private appliesTo(entry: CustomPrice | SelfHostedRate, request: PricingRequest, at: Date): boolean {
    return (
      isValidAt(entry, at) &&
      providerMatches(entry.provider, request) &&
      globMatches(entry.model, request.model)
    );
  }

  private discountApplies(
    entry: Discount,
    request: PricingRequest,
    found: CatalogueModel,
    at: Date,
  ): boolean {
    return (
      isValidAt(entry, at) &&
      (providerMatches(entry.provider, request) ||
        globMatches(entry.provider, found.homeProviderId) ||
        globMatches(entry.provider, found.provider.id)) &&
      (globMatches(entry.model, request.model) || globMatches(entry.model, found.model.id))
    );
  }

  private invalid(request: PricingRequest, message: string): CostResult {
    this.warnOnce(
      'invalid',
      request,
      () => `aicost: invalid token usage for ${describe(request)}: ${message}`,
    );
    return unpriced(COST_STATUS_REASON.INVALID_USAGE);
  }

  /** The message is built only when it is printed: unpriced calls repeat on the hot path. */
  private warnOnce(kind: string, request: PricingRequest, message: () => string): void {
    const key = `${kind}\u0000${request.provider}\u0000${request.model}`;
    if (this.warned.has(key)) return;
    if (this.warned.size >= WARNED_LIMIT) return;
    this.warned.add(key);
    diag.warn(message());
  }
}

const SELF_HOSTED_ESTIMATE = COST_STATUS_REASON.SELF_HOSTED_ESTIMATE;

function loadOverrides(options: PricerOptions): { overrides: PriceOverrides; errors: string[] } {
  const errors: string[] = [];
  const merged = emptyOverrides();
  const versions: string[] = [];
  const env = options.env ?? (typeof process === 'undefined' ? {} : process.env);
  const file = options.pricesFile === undefined ? env[ENV.PRICES_FILE] : options.pricesFile;
  const sources = [
    ...(file ? [loadPriceOverridesFile(file)] : []),
    ...(options.overrides ? [parsePriceOverrides(options.overrides)] : []),
  ];
  // Code overrides are applied after the file's, so their entries come first and win.
  for (const result of sources.reverse()) {
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    merged.prices.push(...result.overrides.prices);
    merged.discounts.push(...result.overrides.discounts);
    merged.selfHosted.push(...result.overrides.selfHosted);
    versions.push(result.overrides.version);
  }
  merged.version = versions.reverse().join('+') || 'overrides';
  return { overrides: merged, errors };
}

function unpriced(reason: CostStatusReason): CostResult {
  return { status: COST_STATUS.UNPRICED, reason, currency: 'USD' };
}

/** The sheet with a percentage discount applied to every price (and tier), each rounded like every price. */
export function discountSheet(sheet: PriceSheet, percent: Decimal): PriceSheet {
  const discounted: PriceSheet = {};
  for (const [key, price] of Object.entries(sheet) as [
    keyof PriceSheet,
    NonNullable<PriceSheet[keyof PriceSheet]>,
  ][]) {
    discounted[key] = {
      base: roundPrice(discountDecimal(price.base, percent)),
      tiers: price.tiers.map((tier) => ({
        start: tier.start,
        price: roundPrice(discountDecimal(tier.price, percent)),
      })),
    };
  }
  return discounted;
}

/** Every price (and tier) of the sheet times `factor` (a service tier's multiplier), rounded like every price. */
export function scaleSheet(sheet: PriceSheet, factor: string): PriceSheet {
  const value = parseDecimal(factor);
  if (!value) throw new Error(`invalid service tier factor ${factor}`);
  // As a percentage off: 0.5 is 50 % off; a premium (1.75) is a negative discount.
  const percent = { units: 100n * pow10(value.scale) - value.units * 100n, scale: value.scale };
  return discountSheet(sheet, percent);
}

/** The reported cost of a request with its amount in nano-USD, or `undefined` when none (or none sane) was reported. */
function reportedCostOf(request: PricingRequest): { cost: ReportedCost; nanos: Nanos } | undefined {
  if (request.reportedCost) {
    const nanos = reportedCostNanos(request.reportedCost);
    return nanos === undefined ? undefined : { cost: request.reportedCost, nanos };
  }
  const nanos = request.providerReportedCost;
  if (nanos === undefined || nanos < 0n) return undefined;
  return { cost: { amount: formatNanos(nanos), source: PRICE_SOURCE.PROVIDER }, nanos };
}

/**
 * A GPU-hour rate with a throughput as a price per 1M tokens (input and output alike):
 * `gpu_hour_usd * gpus * 1e6 / (3600 * tokens_per_second)`, rounded half up to
 * {@link PRICE_SCALE} digits like every price.
 */
export function throughputPricePerMillion(rate: {
  gpuHourUsd: Decimal;
  gpus: Decimal;
  tokensPerSecond: Decimal;
}): Decimal {
  const numerator =
    rate.gpuHourUsd.units * rate.gpus.units * 1_000_000n * pow10(PRICE_SCALE + rate.tokensPerSecond.scale);
  const denominator = pow10(rate.gpuHourUsd.scale + rate.gpus.scale) * 3600n * rate.tokensPerSecond.units;
  return roundPrice({ units: divideRoundHalfUp(numerator, denominator), scale: PRICE_SCALE });
}

function throughputSheet(rate: { gpuHourUsd: Decimal; gpus: Decimal; tokensPerSecond: Decimal }): PriceSheet {
  const price = { base: throughputPricePerMillion(rate), tiers: [] };
  return { input_mtok: price, output_mtok: price };
}

function providerMatches(pattern: string, request: PricingRequest): boolean {
  return globMatches(pattern, request.provider) || globMatches(pattern, catalogueProviderId(request));
}

function catalogueProviderId(request: PricingRequest): string {
  const name = request.provider.trim().toLowerCase();
  return CATALOGUE_PROVIDER_BY_GENAI_NAME[name] ?? name;
}

function isSelfHosted(provider: string): boolean {
  return provider.trim().toLowerCase() === GEN_AI_PROVIDER.SELF_HOSTED;
}

function validDate(value: Date | undefined): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

function describe(request: PricingRequest): string {
  return `provider "${request.provider}" model "${request.model}"`;
}

/** A price book from code overrides and/or an overrides file (default: `AICOST_PRICES_FILE`). */
export function createPricer(options: PricerOptions = {}): PriceBook {
  return new PriceBook(options);
}

/**
 * The process-wide price book lives on `globalThis` under a registry symbol, so
 * the ESM and CommonJS copies of this package (an ESM app whose dependencies
 * `require` it) price with one book: overrides set through one copy apply to
 * spans priced by the other.
 */
const DEFAULT_BOOK_KEY = Symbol.for('@aicost/core.default-price-book');
type GlobalWithBook = typeof globalThis & { [DEFAULT_BOOK_KEY]?: PriceBook };
const processGlobal = globalThis as GlobalWithBook;

/**
 * The catalogue's prices as an exact sheet, converted once per catalogue price
 * object (parsing the decimals was most of the cost of pricing a call). The
 * sheet is shared: callers replace it (discounts), never change it.
 */
const catalogueSheets = new WeakMap<object, PriceSheet>();
function catalogueSheet(modelPrice: Record<string, unknown>): PriceSheet {
  let sheet = catalogueSheets.get(modelPrice);
  if (!sheet) {
    sheet = sheetFromCatalogue(modelPrice);
    catalogueSheets.set(modelPrice, sheet);
  }
  return sheet;
}

/** The process-wide price book used by {@link priceUsage}; built from `AICOST_PRICES_FILE` on first use. */
export function getDefaultPricer(): PriceBook {
  processGlobal[DEFAULT_BOOK_KEY] ??= new PriceBook();
  return processGlobal[DEFAULT_BOOK_KEY];
}

/** Replaces the process-wide price book (e.g. with overrides given in code at start-up). */
export function setDefaultPricer(book: PriceBook | undefined): void {
  processGlobal[DEFAULT_BOOK_KEY] = book;
}

/** Prices one request with the process-wide price book. Never throws. */
export function priceUsage(request: PricingRequest): CostResult {
  return getDefaultPricer().priceUsage(request);
}

/** Sum of the costs of several results; `undefined` if any of them is unpriced (an unknown part makes the sum unknown). */
export function totalCost(results: readonly CostResult[]): CostBreakdown | undefined {
  const costs: CostBreakdown[] = [];
  for (const result of results) {
    if (!result.cost) return undefined;
    costs.push(result.cost);
  }
  return addBreakdowns(...costs);
}
