import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_REQUEST_CHOICE_COUNT, ATTR_GEN_AI_REQUEST_STOP_SEQUENCES } from '../semconv.js';

/**
 * Which request field holds each numeric `gen_ai.request.*` attribute, as an
 * SDK spells it: `{ [ATTR_GEN_AI_REQUEST_TOP_P]: 'topP' }`. One table per
 * request shape, declared next to the SDK's types.
 */
export type RequestAttributeTable = Readonly<Record<string, string>>;

/** Where a request keeps the fields that are not plain numbers. */
export interface RequestAttributeFields {
  /** The stop sequences: a string or an array of strings. */
  stop?: string;
  /** The number of choices, recorded only when it is not 1 (as the semconv asks). */
  choiceCount?: string;
}

/**
 * The request attributes a table names, read from `request`: finite numbers as
 * they are (anything else is left out), stop sequences as an array of strings, the
 * choice count when it is not 1.
 */
export function readRequestAttributes(
  request: object,
  numeric: RequestAttributeTable,
  fields: RequestAttributeFields = {},
): Attributes {
  const attributes: Attributes = {};
  const values = request as Record<string, unknown>;
  for (const name in numeric) {
    const value = values[numeric[name]!];
    if (typeof value === 'number' && Number.isFinite(value)) attributes[name] = value;
  }
  if (fields.choiceCount !== undefined) {
    const count = values[fields.choiceCount];
    if (typeof count === 'number' && count !== 1) attributes[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = count;
  }
  if (fields.stop !== undefined) {
    const raw = values[fields.stop];
    const stop = typeof raw === 'string' ? [raw] : raw;
    if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) {
      attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [...stop];
    }
  }
  return attributes;
}
