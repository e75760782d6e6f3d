import {
  AICOST_CUSTOM_ATTRIBUTION_PREFIX,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
  ATTR_AICOST_SEGMENT,
  ATTR_AICOST_TEAM,
  ATTR_AICOST_WORKFLOW,
} from '../semconv.js';

/** The standard attribution fields and the attribute/baggage key each one travels under. */
export const STANDARD_ATTRIBUTION_KEYS: Readonly<Record<string, string>> = {
  feature: ATTR_AICOST_FEATURE,
  customer: ATTR_AICOST_CUSTOMER,
  workflow: ATTR_AICOST_WORKFLOW,
  team: ATTR_AICOST_TEAM,
  segment: ATTR_AICOST_SEGMENT,
};

const STANDARD_BY_ATTRIBUTE = new Map(
  Object.entries(STANDARD_ATTRIBUTION_KEYS).map(([field, attribute]) => [attribute, field]),
);

/** `feature` becomes `aicost.feature`; a custom `region` becomes `aicost.attr.region`. */
export function attributeKeyFor(field: string): string {
  return STANDARD_ATTRIBUTION_KEYS[field] ?? `${AICOST_CUSTOM_ATTRIBUTION_PREFIX}${field}`;
}

/** The inverse of {@link attributeKeyFor}; `undefined` for keys outside the aicost attribution namespace. */
export function fieldForAttributeKey(attributeKey: string): string | undefined {
  const standard = STANDARD_BY_ATTRIBUTE.get(attributeKey);
  if (standard !== undefined) return standard;
  if (attributeKey.startsWith(AICOST_CUSTOM_ATTRIBUTION_PREFIX)) {
    const field = attributeKey.slice(AICOST_CUSTOM_ATTRIBUTION_PREFIX.length);
    return field.length > 0 ? field : undefined;
  }
  return undefined;
}

/** Whether a baggage/attribute key belongs to aicost attribution (standard or custom). */
export function isAttributionKey(key: string): boolean {
  return fieldForAttributeKey(key) !== undefined;
}

/**
 * Normalizes a user-written allow-list entry to an attribute key: accepts the
 * short field name (`customer`, `region`) or the full key (`aicost.customer`,
 * `aicost.attr.region`).
 */
export function normalizeAllowListEntry(entry: string): string | undefined {
  const trimmed = entry.trim();
  if (trimmed.length === 0) return undefined;
  if (isAttributionKey(trimmed)) return trimmed;
  return attributeKeyFor(trimmed);
}
