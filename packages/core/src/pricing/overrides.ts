import { type Decimal, parseDecimal } from '../money/decimal.js';
import { GEN_AI_PROVIDER } from '../semconv.js';
import { loadOnDemand } from './catalogue-data.js';
import { sha256Hex } from './sha256.js';
import { isPriceKey, type PriceKey, type PriceSheet, tieredPriceFrom } from './sheet.js';

/**
 * The overrides file (and the object given in code) as users write it: snake_case keys,
 * prices in USD per 1M tokens (per 1K requests for `requests_kcount`), numbers or decimal
 * strings. See the package README, "Overrides file format".
 */
export interface PriceOverridesInput {
  /** Written as `aicost.price.version` on costs that used the overrides. Default: a hash of the content. */
  version?: string;
  prices?: CustomPriceInput[];
  discounts?: DiscountInput[];
  self_hosted?: SelfHostedRateInput[];
}

type PriceInput =
  | number
  | string
  | { base: number | string; tiers: { start: number; price: number | string }[] };

export type PriceKeyInputs = Partial<Record<PriceKey, PriceInput>>;

interface ValidityInput {
  /** Inclusive; ISO date (`2026-01-01`, midnight UTC) or date-time. */
  valid_from?: string | Date;
  /** Exclusive. */
  valid_to?: string | Date;
}

export interface CustomPriceInput extends PriceKeyInputs, ValidityInput {
  /** `gen_ai.provider.name` value or catalogue provider id; omitted or `*`: any provider. */
  provider?: string;
  /** Exact model name, or a glob (`ft:gpt-4o-mini:acme:*`, `llama-3.?-*`). Case-insensitive. */
  model: string;
}

export interface DiscountInput extends ValidityInput {
  provider?: string;
  /** Omitted or `*`: every model of the provider. Matched against the request's model and the catalogue model id. */
  model?: string;
  /** Percentage off the catalogue price, 0 to 100 (`15` = 15 % off). */
  percent: number | string;
}

export interface SelfHostedRateInput extends PriceKeyInputs, ValidityInput {
  /** Default `self_hosted`. */
  provider?: string;
  /** Default `*`. */
  model?: string;
  /** Dollars per GPU-hour; with `tokens_per_second` becomes a per-token price, without it is charged per request second. */
  gpu_hour_usd?: number | string;
  /** GPUs the model occupies. Default 1. */
  gpus?: number | string;
  /** Sustained throughput of the deployment (input + output tokens per second). */
  tokens_per_second?: number | string;
}

interface Validity {
  validFrom?: Date;
  validTo?: Date;
}

export interface CustomPrice extends Validity {
  provider: string;
  model: string;
  prices: PriceSheet;
}

export interface Discount extends Validity {
  provider: string;
  model: string;
  percent: Decimal;
}

export type SelfHostedRate = Validity & { provider: string; model: string } & (
    | { basis: 'tokens'; prices: PriceSheet }
    | { basis: 'gpu_hour_throughput'; gpuHourUsd: Decimal; gpus: Decimal; tokensPerSecond: Decimal }
    | { basis: 'gpu_hour_duration'; gpuHourUsd: Decimal; gpus: Decimal }
  );

/** Validated overrides, ready for pricing. */
export interface PriceOverrides {
  version: string;
  prices: CustomPrice[];
  discounts: Discount[];
  selfHosted: SelfHostedRate[];
}

export type OverridesResult = { ok: true; overrides: PriceOverrides } | { ok: false; errors: string[] };

const VALIDITY_KEYS = ['valid_from', 'valid_to'];
const TOP_LEVEL_KEYS = ['version', 'prices', 'discounts', 'self_hosted'];
const SELF_HOSTED_KEYS = ['provider', 'model', 'gpu_hour_usd', 'gpus', 'tokens_per_second', ...VALIDITY_KEYS];

/** An empty override set (no custom prices, discounts or self-hosted rates). */
export function emptyOverrides(): PriceOverrides {
  return { version: '', prices: [], discounts: [], selfHosted: [] };
}

/**
 * Validates overrides given in code or read from a file. Every problem is reported with
 * the path of the bad field (`prices[2].input_mtok: ...`); one problem rejects the whole
 * set, since a half-applied contract is worse than none.
 */
export function parsePriceOverrides(input: unknown): OverridesResult {
  const errors: string[] = [];
  if (!isObject(input))
    return { ok: false, errors: ['overrides: expected an object with prices, discounts or self_hosted'] };
  unknownKeys(input, TOP_LEVEL_KEYS, '', errors);
  if (input.version !== undefined && typeof input.version !== 'string') {
    errors.push(`version: expected a string, got ${describe(input.version)}`);
  }
  const prices = list(input.prices, 'prices', errors).map((entry, index) =>
    customPrice(entry, `prices[${index}]`, errors),
  );
  const discounts = list(input.discounts, 'discounts', errors).map((entry, index) =>
    discount(entry, `discounts[${index}]`, errors),
  );
  const selfHosted = list(input.self_hosted, 'self_hosted', errors).map((entry, index) =>
    selfHostedRate(entry, `self_hosted[${index}]`, errors),
  );
  if (errors.length > 0) return { ok: false, errors };
  const version =
    typeof input.version === 'string' && input.version ? input.version : `overrides@${contentHash(input)}`;
  return {
    ok: true,
    overrides: {
      version,
      prices: prices as CustomPrice[],
      discounts: discounts as Discount[],
      selfHosted: selfHosted as SelfHostedRate[],
    },
  };
}

/** Reads and validates a JSON or YAML overrides file. Never throws: problems come back as errors. */
export function loadPriceOverridesFile(path: string): OverridesResult {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot read the file (${(error as Error).message})`] };
  }
  let content: unknown;
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    // yaml is loaded only when an overrides file is read: most processes never read one.
    content = (loadOnDemand('yaml') as typeof import('yaml')).parse(text);
  } catch (error) {
    return { ok: false, errors: [`${path}: not valid JSON or YAML (${(error as Error).message})`] };
  }
  const result = parsePriceOverrides(content);
  return result.ok ? result : { ok: false, errors: result.errors.map((error) => `${path}: ${error}`) };
}

/**
 * Node's `fs` looked up when a file is read, never imported: this module is
 * also bundled for edge runtimes, which have no file system (there, overrides
 * are given in code).
 */
function readTextFile(path: string): string {
  const nodeProcess = (globalThis as { process?: Partial<Pick<NodeJS.Process, 'getBuiltinModule'>> }).process;
  const fs = nodeProcess?.getBuiltinModule?.('node:fs');
  if (!fs) throw new Error('this runtime has no file system; give the overrides in code instead');
  return fs.readFileSync(path, 'utf8');
}

function customPrice(entry: unknown, path: string, errors: string[]): CustomPrice | undefined {
  if (!isObject(entry)) return void errors.push(`${path}: expected an object, got ${describe(entry)}`);
  const priceKeys = Object.keys(entry).filter(isPriceKey);
  unknownKeys(entry, ['provider', 'model', ...VALIDITY_KEYS, ...priceKeys], `${path}.`, errors);
  const prices = priceSheet(entry, path, errors);
  if (priceKeys.length === 0) errors.push(`${path}: no price given (e.g. input_mtok, output_mtok)`);
  return {
    provider: pattern(entry.provider, `${path}.provider`, errors, '*'),
    model: pattern(entry.model, `${path}.model`, errors),
    prices,
    ...validity(entry, path, errors),
  };
}

function discount(entry: unknown, path: string, errors: string[]): Discount | undefined {
  if (!isObject(entry)) return void errors.push(`${path}: expected an object, got ${describe(entry)}`);
  unknownKeys(entry, ['provider', 'model', 'percent', ...VALIDITY_KEYS], `${path}.`, errors);
  const percent = decimal(entry.percent, `${path}.percent`, errors);
  if (percent && (percent.units < 0n || percent.units > 100n * 10n ** BigInt(percent.scale))) {
    errors.push(`${path}.percent: expected a percentage from 0 to 100, got ${describe(entry.percent)}`);
  }
  return {
    provider: pattern(entry.provider, `${path}.provider`, errors, '*'),
    model: pattern(entry.model, `${path}.model`, errors, '*'),
    percent: percent ?? { units: 0n, scale: 0 },
    ...validity(entry, path, errors),
  };
}

function selfHostedRate(entry: unknown, path: string, errors: string[]): SelfHostedRate | undefined {
  if (!isObject(entry)) return void errors.push(`${path}: expected an object, got ${describe(entry)}`);
  const priceKeys = Object.keys(entry).filter(isPriceKey);
  unknownKeys(entry, [...SELF_HOSTED_KEYS, ...priceKeys], `${path}.`, errors);
  const common = {
    provider: pattern(entry.provider, `${path}.provider`, errors, GEN_AI_PROVIDER.SELF_HOSTED),
    model: pattern(entry.model, `${path}.model`, errors, '*'),
    ...validity(entry, path, errors),
  };
  const hasGpu = entry.gpu_hour_usd !== undefined;
  if (hasGpu === priceKeys.length > 0) {
    errors.push(
      `${path}: give either token prices (input_mtok, output_mtok) or gpu_hour_usd, not ${hasGpu ? 'both' : 'neither'}`,
    );
    return undefined;
  }
  if (!hasGpu) return { ...common, basis: 'tokens', prices: priceSheet(entry, path, errors) };
  const gpuHourUsd = nonNegative(entry.gpu_hour_usd, `${path}.gpu_hour_usd`, errors);
  const gpus =
    entry.gpus === undefined ? { units: 1n, scale: 0 } : positive(entry.gpus, `${path}.gpus`, errors);
  if (!gpuHourUsd || !gpus) return undefined;
  if (entry.tokens_per_second === undefined)
    return { ...common, basis: 'gpu_hour_duration', gpuHourUsd, gpus };
  const tokensPerSecond = positive(entry.tokens_per_second, `${path}.tokens_per_second`, errors);
  if (!tokensPerSecond) return undefined;
  return { ...common, basis: 'gpu_hour_throughput', gpuHourUsd, gpus, tokensPerSecond };
}

function priceSheet(entry: Record<string, unknown>, path: string, errors: string[]): PriceSheet {
  const sheet: PriceSheet = {};
  for (const key of Object.keys(entry).filter(isPriceKey)) {
    const price = tieredPriceFrom(entry[key]);
    if (price) sheet[key] = price;
    else {
      errors.push(
        `${path}.${key}: expected a non-negative decimal number or { base, tiers: [{ start, price }] }, got ${describe(entry[key])}`,
      );
    }
  }
  return sheet;
}

function validity(entry: Record<string, unknown>, path: string, errors: string[]): Validity {
  const validFrom = date(entry.valid_from, `${path}.valid_from`, errors);
  const validTo = date(entry.valid_to, `${path}.valid_to`, errors);
  if (validFrom && validTo && validTo <= validFrom) {
    errors.push(`${path}.valid_to: must be after valid_from`);
  }
  return { ...(validFrom && { validFrom }), ...(validTo && { validTo }) };
}

function date(value: unknown, path: string, errors: string[]): Date | undefined {
  if (value === undefined) return undefined;
  const parsed =
    value instanceof Date
      ? value
      : typeof value === 'string'
        ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
        : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) {
    errors.push(`${path}: expected an ISO date such as 2026-01-01, got ${describe(value)}`);
    return undefined;
  }
  return parsed;
}

function pattern(value: unknown, path: string, errors: string[], fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    errors.push(`${path}: expected a non-empty string, got ${describe(value)}`);
    return '';
  }
  return value.trim();
}

function decimal(value: unknown, path: string, errors: string[]): Decimal | undefined {
  const parsed = typeof value === 'number' || typeof value === 'string' ? parseDecimal(value) : undefined;
  if (!parsed) errors.push(`${path}: expected a decimal number, got ${describe(value)}`);
  return parsed;
}

function nonNegative(value: unknown, path: string, errors: string[]): Decimal | undefined {
  const parsed = decimal(value, path, errors);
  if (parsed && parsed.units < 0n)
    return void errors.push(`${path}: must not be negative, got ${describe(value)}`);
  return parsed;
}

function positive(value: unknown, path: string, errors: string[]): Decimal | undefined {
  const parsed = decimal(value, path, errors);
  if (parsed && parsed.units <= 0n)
    return void errors.push(`${path}: must be greater than 0, got ${describe(value)}`);
  return parsed;
}

function list(value: unknown, path: string, errors: string[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`${path}: expected a list, got ${describe(value)}`);
    return [];
  }
  return value;
}

function unknownKeys(
  entry: Record<string, unknown>,
  known: string[],
  prefix: string,
  errors: string[],
): void {
  for (const key of Object.keys(entry)) {
    if (!known.includes(key)) errors.push(`${prefix}${key}: unknown field`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function contentHash(input: unknown): string {
  return sha256Hex(
    JSON.stringify(input, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
  ).slice(0, 12);
}

const globCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` one character; anything else literal; case-insensitive, whole name. */
export function globMatches(glob: string, name: string): boolean {
  if (glob === '*') return true;
  if (!/[*?]/.test(glob)) return glob.toLowerCase() === name.toLowerCase();
  let compiled = globCache.get(glob);
  if (!compiled) {
    const source = glob
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${source}$`, 'i');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, compiled);
  }
  return compiled.test(name);
}

export function isValidAt(entry: Validity, at: Date): boolean {
  const time = at.getTime();
  return (
    (!entry.validFrom || time >= entry.validFrom.getTime()) &&
    (!entry.validTo || time < entry.validTo.getTime())
  );
}
