import {
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  type RequestAttributeTable,
} from '@aicost/core';

/**
 * Which field of a generation config (`@google/genai` `config`, `@google/generative-ai`
 * `generationConfig`) holds each numeric `gen_ai.request.*` attribute.
 */
export const GENERATION_REQUEST_ATTRIBUTES: RequestAttributeTable = {
  [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 'temperature',
  [ATTR_GEN_AI_REQUEST_TOP_P]: 'topP',
  [ATTR_GEN_AI_REQUEST_TOP_K]: 'topK',
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 'maxOutputTokens',
  [ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY]: 'frequencyPenalty',
  [ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY]: 'presencePenalty',
  [ATTR_GEN_AI_REQUEST_SEED]: 'seed',
  // Recorded as configured, 1 included.
  [ATTR_GEN_AI_REQUEST_CHOICE_COUNT]: 'candidateCount',
};
