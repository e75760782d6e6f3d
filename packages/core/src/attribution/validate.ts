import { resetLogOnce, warnOnce } from '../instrumentation/safety.js';

/** Longest attribution value accepted. Ids and names fit; anything longer is likely a mistake (or content). */
export const MAX_ATTRIBUTION_VALUE_LENGTH = 256;

/**
 * Custom field names become baggage keys (`aicost.attr.<name>`), which W3C
 * Baggage restricts to tokens; this stricter set also keeps them readable as
 * ClickHouse map keys and metric label names.
 */
const CUSTOM_FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** One diag warning per (field, reason): a hot path must not flood the log. */
function warnIgnored(field: string, reason: string): void {
  warnOnce(`attribution\u0000${field}\u0000${reason}`, `aicost: attribution "${field}" ignored: ${reason}`);
}

export function isValidCustomFieldName(field: string): boolean {
  return CUSTOM_FIELD_NAME.test(field);
}

/**
 * Returns the value to record for an attribution field, or `undefined` (with a
 * warning) when the value cannot be used. Numbers and booleans are stringified
 * because users pass ids of either kind; anything else is rejected.
 */
export function validateAttributionValue(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    value = String(value);
  }
  if (typeof value !== 'string') {
    warnIgnored(field, `value must be a string, got ${typeof value}`);
    return undefined;
  }
  if (value.length === 0) {
    warnIgnored(field, 'value is empty');
    return undefined;
  }
  if (value.length > MAX_ATTRIBUTION_VALUE_LENGTH) {
    warnIgnored(field, `value is longer than ${MAX_ATTRIBUTION_VALUE_LENGTH} characters`);
    return undefined;
  }
  if (CONTROL_CHARACTER.test(value)) {
    warnIgnored(field, 'value contains control characters');
    return undefined;
  }
  return value;
}

/** Checks a custom field name; standard fields are always valid. */
export function validateFieldName(field: string, isStandard: boolean): boolean {
  if (isStandard || isValidCustomFieldName(field)) return true;
  warnIgnored(field, 'custom attribution names must match [A-Za-z0-9_.-]{1,64}');
  return false;
}

/** For tests: forget which warnings were already logged. */
export function resetAttributionWarnings(): void {
  resetLogOnce();
}
