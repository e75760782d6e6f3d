import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  type RequestAttributeTable,
} from '@aicost/core';

/** Which field of the request parameters (`RequestParams`, read from any model family's body) holds each numeric `gen_ai.request.*` attribute. */
export const REQUEST_ATTRIBUTES: RequestAttributeTable = {
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 'maxTokens',
  [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 'temperature',
  [ATTR_GEN_AI_REQUEST_TOP_P]: 'topP',
  [ATTR_GEN_AI_REQUEST_TOP_K]: 'topK',
};
