import {
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  type RequestAttributeTable,
} from '@aicost/core';

/** Which field of a `ChatRequest` (the SDK's camelCase) holds each numeric `gen_ai.request.*` attribute. */
export const CHAT_REQUEST_ATTRIBUTES: RequestAttributeTable = {
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 'maxCompletionTokens',
  [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 'temperature',
  [ATTR_GEN_AI_REQUEST_TOP_P]: 'topP',
  [ATTR_GEN_AI_REQUEST_TOP_K]: 'topK',
  [ATTR_GEN_AI_REQUEST_SEED]: 'seed',
  [ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY]: 'frequencyPenalty',
  [ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY]: 'presencePenalty',
};
