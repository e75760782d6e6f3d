export { OUTCOME_TRACER_NAME, type OutcomeOptions, recordOutcome } from './record.js';
