/**
 * Exact decimals for prices: `units / 10^scale` with a bigint `units`.
 *
 * Prices arrive as JavaScript numbers (the catalogue, YAML) or strings (the
 * overrides file). A number is read through its shortest round-trip decimal
 * string (`String(0.075)` is `"0.075"`), so the decimal the catalogue's authors
 * wrote is the decimal we compute with; no binary float ever enters a product.
 */
export interface Decimal {
  /** The digits, as an integer. */
  readonly units: bigint;
  /** How many of those digits are fractional: the value is `units / 10^scale`. */
  readonly scale: number;
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const FRACTION_ONLY_PATTERN = /^([+-])?\.(\d+)$/;
/** Scales beyond this are not prices, they are mistakes (and would make huge bigints). */
const MAX_SCALE = 40;

export function pow10(exponent: number): bigint {
  return POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent);
}

/** 10^0 .. 10^38: prices and money use small scales, and pricing a call raises 10 to one for every line. */
const POWERS_OF_TEN: readonly bigint[] = Array.from({ length: 39 }, (_, exponent) => 10n ** BigInt(exponent));

/**
 * Reads a decimal from a finite number (via its shortest decimal string), a
 * decimal string (`"1.25"`, `"2e-7"`) or a bigint. Returns `undefined` for
 * anything else (NaN, Infinity, `"abc"`, an empty string).
 */
export function parseDecimal(value: number | string | bigint): Decimal | undefined {
  if (typeof value === 'bigint') return { units: value, scale: 0 };
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const text = String(value).trim();
  const fractionOnly = FRACTION_ONLY_PATTERN.exec(text);
  const match = fractionOnly
    ? [text, fractionOnly[1], '0', fractionOnly[2], undefined]
    : DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, integerDigits = '0', fractionDigits = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  let units = BigInt(integerDigits + fractionDigits);
  let scale = fractionDigits.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  if (scale > MAX_SCALE) return undefined;
  if (sign === '-') units = -units;
  return normalizeDecimal({ units, scale });
}

/** Drops trailing fractional zeros: `2.50` becomes `2.5`, `10.0` becomes `10`. */
export function normalizeDecimal(value: Decimal): Decimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** Plain decimal notation, no exponent, no trailing zeros: `"0.075"`, `"2.5"`, `"10"`. */
export function formatDecimal(value: Decimal): string {
  const { units, scale } = normalizeDecimal(value);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const integerPart = digits.slice(0, digits.length - scale);
  const fractionPart = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${integerPart}${scale > 0 ? `.${fractionPart}` : ''}`;
}

export function multiplyDecimals(a: Decimal, b: Decimal): Decimal {
  return normalizeDecimal({ units: a.units * b.units, scale: a.scale + b.scale });
}

/**
 * The price after a percentage discount, exactly: `price * (100 - percent) / 100`.
 * A decimal times a decimal divided by 100 is still a finite decimal.
 */
export function discountDecimal(price: Decimal, percent: Decimal): Decimal {
  const hundred = { units: 100n * pow10(percent.scale), scale: percent.scale };
  const remaining = { units: hundred.units - percent.units, scale: percent.scale };
  const product = multiplyDecimals(price, remaining);
  return normalizeDecimal({ units: product.units, scale: product.scale + 2 });
}
