/**
 * Amounts and quantities as the providers write them: decimal text, read
 * exactly (never through a float) and rounded to the nano only when stored.
 */
import { divideRoundHalfUp, formatDecimal, formatNanos, MONEY_SCALE, parseDecimal } from '@aicost/core';

const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The canonical text of a decimal (`"1.50"` → `"1.5"`, `"2e-3"` → `"0.002"`), or undefined. */
export function decimalText(raw: string | number | undefined | null): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw).trim();
  if (!PLAIN_DECIMAL.test(text)) return undefined;
  const value = parseDecimal(text);
  return value === undefined ? undefined : formatDecimal(value);
}

/** `text / 10^places`, exactly (Anthropic's cost report counts cents). */
export function shiftDecimal(text: string, places: number): string {
  const value = parseDecimal(text);
  if (value === undefined) throw new RangeError(`not a decimal: ${text}`);
  return formatDecimal({ units: value.units, scale: value.scale + places });
}

/** `a * b` exactly (a quantity in thousands, a rate). */
export function multiplyDecimalText(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x === undefined || y === undefined) throw new RangeError(`not a decimal: ${a} * ${b}`);
  return formatDecimal({ units: x.units * y.units, scale: x.scale + y.scale });
}

/** `a - b` exactly. */
export function subtractDecimalText(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x === undefined || y === undefined) throw new RangeError(`not a decimal: ${a} - ${b}`);
  const scale = Math.max(x.scale, y.scale);
  const units = x.units * 10n ** BigInt(scale - x.scale) - y.units * 10n ** BigInt(scale - y.scale);
  return formatDecimal({ units, scale });
}

/**
 * Nano units of a decimal text, rounded half away from zero when the text is
 * finer than a nano (the table keeps the exact text beside it).
 */
export function nanosOf(text: string): bigint {
  const value = parseDecimal(text);
  if (value === undefined) throw new RangeError(`not a decimal: ${text}`);
  if (value.scale <= MONEY_SCALE) return value.units * 10n ** BigInt(MONEY_SCALE - value.scale);
  return divideRoundHalfUp(value.units, 10n ** BigInt(value.scale - MONEY_SCALE));
}

/** Decimal text as Decimal(38, 9) text (`"1.5"` → `"1.500000000"`), rounded to the nano. */
export function nanoText(text: string): string {
  return formatNanos(nanosOf(text));
}

export function isNegative(text: string | undefined): boolean {
  return text?.startsWith('-') === true && /[1-9]/.test(text);
}
