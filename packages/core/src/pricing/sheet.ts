import { invalidUsage } from '../ledger/usage.js';
import { type CostComponent, makeBreakdown } from '../money/breakdown.js';
import { type Decimal, normalizeDecimal, parseDecimal, pow10 } from '../money/decimal.js';
import { costNanos, divideRoundHalfUp } from '../money/nanos.js';
import type { CostBreakdown, InvalidUsage, TokenUsage } from '../types.js';

/**
 * Prices are held with at most this many fractional digits (USD per 1M tokens):
 * what the SQL price table's `Decimal(38, 12)` holds. A catalogue number with more
 * digits (a float artifact such as `0.18000000000000002`) is rounded half up here,
 * once, so that JavaScript and SQL price with the very same decimal.
 */
export const PRICE_SCALE = 12;

/** A price with optional context-size tiers (catalogue `TieredPrices`). */
export interface TieredPrice {
  base: Decimal;
  /** Sorted by `start`. A tier applies when the request's input tokens are GREATER than its start. */
  tiers: { start: number; price: Decimal }[];
}

/** Price key (catalogue names: `input_mtok`, `cache_read_mtok`, ...) to price. */
export type PriceSheet = Partial<Record<PriceKey, TieredPrice>>;

interface UnitDefinition {
  /** How many units of this kind the ledger holds. */
  count(usage: TokenUsage): number;
  /**
   * The catalogue's unit dimensions: a unit whose dimensions include another's
   * is a part of it (cache-read tokens are input tokens), and its tokens are
   * taken out of the wider unit when both are priced.
   */
  dimensions: Readonly<Record<string, string>>;
  /** Units per price: 1M tokens, 1K requests. */
  per: number;
  component: CostComponent;
}

const INPUT = { direction: 'input', family: 'tokens' } as const;
const OUTPUT = { direction: 'output', family: 'tokens' } as const;

/**
 * The catalogue price keys that the ledger can feed. Others (web searches,
 * document pages, video...) have no ledger count and cost nothing here.
 */
export const UNITS = {
  input_mtok: { count: (u) => u.inputTokens, dimensions: INPUT, per: 1e6, component: 'input' },
  cache_read_mtok: {
    count: (u) => u.cacheReadTokens,
    dimensions: { ...INPUT, token_type: 'cache_read' },
    per: 1e6,
    component: 'cacheRead',
  },
  cache_write_mtok: {
    count: (u) => u.cacheWriteTokens,
    dimensions: { ...INPUT, token_type: 'cache_write' },
    per: 1e6,
    component: 'cacheWrite',
  },
  cache_write_5m_mtok: {
    count: (u) => u.cacheWrite5mTokens ?? 0,
    dimensions: { ...INPUT, token_type: 'cache_write', cache_ttl: '5m' },
    per: 1e6,
    component: 'cacheWrite',
  },
  cache_write_1h_mtok: {
    count: (u) => u.cacheWrite1hTokens ?? 0,
    dimensions: { ...INPUT, token_type: 'cache_write', cache_ttl: '1h' },
    per: 1e6,
    component: 'cacheWrite',
  },
  input_audio_mtok: {
    count: (u) => u.inputAudioTokens ?? 0,
    dimensions: { ...INPUT, modality: 'audio' },
    per: 1e6,
    component: 'other',
  },
  input_image_mtok: {
    count: (u) => u.inputImageTokens ?? 0,
    dimensions: { ...INPUT, modality: 'image' },
    per: 1e6,
    component: 'other',
  },
  output_mtok: { count: (u) => u.outputTokens, dimensions: OUTPUT, per: 1e6, component: 'output' },
  output_reasoning_mtok: {
    count: (u) => u.reasoningTokens,
    dimensions: { ...OUTPUT, token_type: 'reasoning' },
    per: 1e6,
    component: 'output',
  },
  output_audio_mtok: {
    count: (u) => u.outputAudioTokens ?? 0,
    dimensions: { ...OUTPUT, modality: 'audio' },
    per: 1e6,
    component: 'other',
  },
  output_image_mtok: {
    count: (u) => u.outputImageTokens ?? 0,
    dimensions: { ...OUTPUT, modality: 'image' },
    per: 1e6,
    component: 'other',
  },
  requests_kcount: {
    count: (u) => u.requests,
    dimensions: { family: 'requests' },
    per: 1e3,
    component: 'other',
  },
} as const satisfies Record<string, UnitDefinition>;

export type PriceKey = keyof typeof UNITS;
export const PRICE_KEYS = Object.keys(UNITS) as PriceKey[];

export function isPriceKey(key: string): key is PriceKey {
  return Object.hasOwn(UNITS, key);
}

/** Rounds a price half up to {@link PRICE_SCALE} fractional digits. */
export function roundPrice(price: Decimal): Decimal {
  if (price.scale <= PRICE_SCALE) return normalizeDecimal(price);
  const units = divideRoundHalfUp(price.units, pow10(price.scale - PRICE_SCALE));
  return normalizeDecimal({ units, scale: PRICE_SCALE });
}

/** A catalogue price value (`number` or `{ base, tiers }`) as an exact tiered price; `undefined` if malformed. */
export function tieredPriceFrom(value: unknown): TieredPrice | undefined {
  if (typeof value === 'number' || typeof value === 'string') {
    const base = parseDecimal(value);
    return base && base.units >= 0n ? { base: roundPrice(base), tiers: [] } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { base, tiers } = value as { base?: unknown; tiers?: unknown };
  const basePrice = tieredPriceFrom(base);
  if (!basePrice || !Array.isArray(tiers)) return undefined;
  const parsedTiers: TieredPrice['tiers'] = [];
  for (const tier of tiers) {
    const { start, price } = (tier ?? {}) as { start?: unknown; price?: unknown };
    const tierPrice = tieredPriceFrom(price);
    if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0 || !tierPrice)
      return undefined;
    parsedTiers.push({ start, price: tierPrice.base });
  }
  parsedTiers.sort((a, b) => a.start - b.start);
  return { base: basePrice.base, tiers: parsedTiers };
}

/** The catalogue's `ModelPrice` as a sheet of exact prices; keys the ledger cannot feed are dropped. */
export function sheetFromCatalogue(modelPrice: Record<string, unknown>): PriceSheet {
  const sheet: PriceSheet = {};
  for (const [key, value] of Object.entries(modelPrice)) {
    if (!isPriceKey(key)) continue;
    const price = tieredPriceFrom(value);
    if (price) sheet[key] = price;
  }
  return sheet;
}

/** The price for a request with `inputTokens` input tokens (cache included): the highest tier it exceeds. */
export function priceAt(price: TieredPrice, inputTokens: number): Decimal {
  let selected = price.base;
  for (const tier of price.tiers) if (inputTokens > tier.start) selected = tier.price;
  return selected;
}

function isPartOf(part: UnitDefinition, whole: UnitDefinition): boolean {
  return Object.entries(whole.dimensions).every(([name, value]) => part.dimensions[name] === value);
}

/**
 * Prices a ledger with a sheet, the way the catalogue defines it:
 *
 * 1. each priced unit is charged only for the tokens that no narrower priced unit
 *    takes (input is charged for input minus cache reads minus cache writes minus
 *    audio..., when those have their own prices; when they do not, they stay in input);
 * 2. tiers are chosen by the request's total input tokens (cache included);
 * 3. each line (price key) is rounded half up to the nano on its own, then lines
 *    are summed into their component (input, cache read, cache write, output, other).
 *
 * Returns invalid usage when parts overlap beyond their whole (e.g. cached audio
 * larger than the input left for it).
 */
export function costFromSheet(sheet: PriceSheet, usage: TokenUsage): CostBreakdown | InvalidUsage {
  const plan = pricingPlan(sheet);
  // Tokens left to each priced unit, by plan step; narrower units come first in the plan.
  const leaves: number[] = [];
  for (let step = 0; step < plan.length; step++) {
    const { key, unit, narrower } = plan[step]!;
    let leaf = unit.count(usage);
    for (const other of narrower) leaf -= leaves[other]!;
    if (leaf < 0) {
      return invalidUsage(key, leaf, `usage parts priced apart exceed the tokens of ${key}`);
    }
    leaves.push(leaf);
  }
  const parts: Record<CostComponent, bigint> = {
    input: 0n,
    cacheRead: 0n,
    cacheWrite: 0n,
    output: 0n,
    other: 0n,
  };
  for (let step = 0; step < plan.length; step++) {
    const leaf = leaves[step]!;
    // No tokens of a unit cost nothing at any price (most calls use no cache, audio or images).
    if (leaf === 0) continue;
    const { key, unit } = plan[step]!;
    parts[unit.component] += costNanos(leaf, priceAt(sheet[key]!, usage.inputTokens), unit.per);
  }
  return makeBreakdown(parts);
}

interface PlanStep {
  key: PriceKey;
  unit: UnitDefinition;
  /**
   * Plan steps met earlier (narrower units first) that are part of this one, by index: their tokens
   * are taken out of it.
   */
  narrower: number[];
}

/**
 * The order in which a sheet's units are priced and which earlier units each
 * one contains. It depends only on the keys the sheet prices, so it is worked
 * out once per sheet object (catalogue sheets are shared): sorting and
 * comparing unit dimensions on every call was a large part of pricing one.
 */
const plans = new WeakMap<PriceSheet, PlanStep[]>();
function pricingPlan(sheet: PriceSheet): PlanStep[] {
  let plan = plans.get(sheet);
  if (plan) return plan;
  const priced = PRICE_KEYS.filter((key) => sheet[key] !== undefined).sort(
    (a, b) => Object.keys(UNITS[b].dimensions).length - Object.keys(UNITS[a].dimensions).length,
  );
  plan = [];
  for (const key of priced) {
    const unit: UnitDefinition = UNITS[key];
    const narrower: number[] = [];
    plan.forEach((earlier, index) => {
      if (earlier.key !== key && isPartOf(UNITS[earlier.key], unit)) narrower.push(index);
    });
    plan.push({ key, unit, narrower });
  }
  plans.set(sheet, plan);
  return plan;
}
