/**
 * Money as the server sends it: the engine's decimal text (exact). Shown with every digit the
 * amount has (at least two decimals), grouped by thousands; never through a float.
 */
import { formatNanos, parseNanos } from '../../../core/src/money/nanos.ts';
import type { Nanos } from '../../../core/src/types.ts';

export const UNKNOWN = '—';

export function nanosOf(text: unknown): Nanos | undefined {
  return typeof text === 'string' ? parseNanos(text) : undefined;
}

/** `"1234.5"` → `$1,234.50`; `"0.000412"` → `$0.000412`; null → `—` (unpriced: unknown, not $0). */
export function formatUsd(text: unknown): string {
  const nanos = nanosOf(text);
  return nanos === undefined ? UNKNOWN : formatNanosUsd(nanos);
}

/**
 * The exact sum of a money column; `undefined` when no row has an amount (every row unpriced, or
 * no rows), so that the page shows `—` rather than `$0.00` for what is not known.
 */
export function sumUsd(rows: readonly Record<string, unknown>[], column: string): Nanos | undefined {
  let sum: Nanos | undefined;
  for (const row of rows) {
    const nanos = nanosOf(row[column]);
    if (nanos !== undefined) sum = (sum ?? 0n) + nanos;
  }
  return sum;
}

/** A sum from {@link sumUsd}: `—` when nothing was priced. */
export function formatSumUsd(nanos: Nanos | undefined): string {
  return nanos === undefined ? UNKNOWN : formatNanosUsd(nanos);
}

/** Nanos back to the decimal text the server sends (for sums made here). */
export const decimalText: (nanos: Nanos) => string = formatNanos;

export function formatNanosUsd(nanos: Nanos): string {
  const [whole = '0', fraction = ''] = formatNanos(nanos).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${negative ? '-' : ''}$${grouped}.${decimals}`;
}

/** A change: `+$0.0012`, `-$0.50`, `$0.00` (exact, like formatUsd). */
export function formatUsdChange(text: unknown): string {
  const nanos = nanosOf(text);
  if (nanos === undefined) return UNKNOWN;
  return `${nanos > 0n ? '+' : ''}${formatNanosUsd(nanos)}`;
}

/**
 * An amount in its own currency: USD as formatUsd, any other as `1,234.50 EUR` (revenue may be
 * in another currency; it is never converted or added to dollars here).
 */
export function formatMoney(text: unknown, currency: unknown): string {
  if (currency === undefined || currency === null || currency === 'USD') return formatUsd(text);
  const dollars = formatUsd(text);
  return dollars === UNKNOWN ? UNKNOWN : `${dollars.replace('$', '')} ${String(currency)}`;
}

/** Counts arrive as strings (64-bit integers are quoted) or numbers. */
export function formatCount(value: unknown): string {
  if (value === null || value === undefined) return UNKNOWN;
  const text = String(value);
  return /^-?\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : text;
}

/** A change of a share (a difference of two ratios) in percentage points: `+2.5 pp`. */
export function formatPoints(value: unknown): string {
  if (value === null || value === undefined) return UNKNOWN;
  const points = Number(value) * 100;
  return `${points > 0 ? '+' : ''}${points.toFixed(1)} pp`;
}

/** A share (0..1, Float64 from SQL) as a percentage. */
export function formatShare(value: unknown): string {
  if (value === null || value === undefined) return UNKNOWN;
  return `${(Number(value) * 100).toFixed(1)}%`;
}

/** Nanoseconds (string or number) as a short duration. */
export function formatDuration(ns: unknown): string {
  const value = Number(ns);
  if (!Number.isFinite(value)) return UNKNOWN;
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} s`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} ms`;
  return `${(value / 1e3).toFixed(0)} µs`;
}
