export {
  AttributionBaggagePropagator,
  getAttribution,
  type OutcomeOptions,
  recordOutcome,
  setAttribution,
  withAttribution,
} from '@aicost/core';
export {
  type AicostInstrumentationsOptions,
  aicostInstrumentations,
  aicostSpanProcessors,
} from './bring-your-own.js';
export {
  AICOST_INSTRUMENTATIONS,
  type AicostInstrumentationEntry,
  type AicostInstrumentationName,
} from './instrumentations.js';
export { type AicostHandle, type RegisterOptions, register } from './sdk.js';
