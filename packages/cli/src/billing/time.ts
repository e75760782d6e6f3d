/** The UTC day of the timestamps billing files carry. */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * `YYYY-MM-DD` in UTC of: Unix seconds (`1730419200`), an ISO/RFC 3339 date or
 * date-time (`2026-12-01T00:00:00Z`, BigQuery's `2026-12-01 08:00:00 UTC`,
 * `+02:00` offsets), or a US `MM/DD/YYYY` date (Azure EA exports). A date-time
 * without a zone is UTC. Undefined when the text is none of these.
 */
export function utcDay(raw: string | number | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (/^\d{9,11}$/.test(text)) return isoDay(Number(text) * 1000);
  const us = US_DATE.exec(text);
  if (us) return isoDay(Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2])));
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  if (zone && /^[+-]/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return isoDay(ms);
}
