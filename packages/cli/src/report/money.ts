/**
 * Money from the engine's Decimal text, exactly: parsed to integer
 * nano-USD (bigint), printed without ever passing through a float.
 */

const NANOS = 1_000_000_000n;

/** `"12.345678900"` or `"-0.5"` to nano-units. More than 9 decimals is refused (it would lose money). */
export function parseNanos(decimal: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(decimal)}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 9) throw new Error(`amount has more than 9 decimals: ${decimal}`);
  const n = BigInt(m[2]!) * NANOS + BigInt(frac.padEnd(9, '0') || '0');
  return m[1] ? -n : n;
}

/** Integer division rounded half away from zero. */
export function divRound(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('division by zero');
  const neg = a < 0n !== b < 0n;
  const aa = a < 0n ? -a : a;
  const bb = b < 0n ? -b : b;
  const q = (2n * aa + bb) / (2n * bb);
  return neg ? -q : q;
}

/** Nano-units as a decimal string with exactly `decimals` digits (0-9), rounded half away from zero. */
export function formatNanos(nanos: bigint, decimals = 9): string {
  const scaled = divRound(nanos, 10n ** BigInt(9 - decimals));
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  const unit = 10n ** BigInt(decimals);
  const whole = (abs / unit).toString();
  const frac = decimals > 0 ? `.${(abs % unit).toString().padStart(decimals, '0')}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** For people: `$1,234.567890` (6 decimals: a millionth of a dollar is the smallest cost that shows). */
export function formatUsd(nanos: bigint, decimals = 6): string {
  const text = formatNanos(nanos, decimals);
  const neg = text.startsWith('-');
  const [whole, frac] = (neg ? text.slice(1) : text).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (nanos !== 0n && /^[0.]+$/.test(text.replace('-', '')))
    return `${neg ? '>-' : '<'}$0.${'0'.repeat(decimals - 1)}1`;
  return `${neg ? '-' : ''}$${grouped}${frac === undefined ? '' : `.${frac}`}`;
}
