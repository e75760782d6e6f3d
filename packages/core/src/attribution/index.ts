export {
  type AttributionInput,
  getAttribution,
  getAttributionAttributes,
  setAttribution,
  withAttribution,
  withAttributionScope,
} from './context.js';
export {
  attributeKeyFor,
  fieldForAttributeKey,
  isAttributionKey,
  STANDARD_ATTRIBUTION_KEYS,
} from './keys.js';
export {
  AttributionBaggagePropagator,
  type AttributionPropagatorOptions,
  resolveBaggageAllowList,
  trustInboundAttributionFromEnv,
} from './propagator.js';
export { MAX_ATTRIBUTION_VALUE_LENGTH } from './validate.js';
