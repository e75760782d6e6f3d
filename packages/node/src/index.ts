export {
  AttributionBaggagePropagator,
  getAttribution,
  type OutcomeOptions,
  recordOutcome,
  setAttribution,
  withAttribution,
} from '@aicost/core';
export { AICOST_INSTRUMENTATIONS, type AicostInstrumentationName } from './instrumentations.js';
export { type AicostHandle, type RegisterOptions, register } from './sdk.js';
