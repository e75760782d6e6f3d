import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  type RequestAttributeTable,
} from '@aicost/core';

/** Which field of a Messages request holds each numeric `gen_ai.request.*` attribute. */
export const MESSAGES_REQUEST_ATTRIBUTES: RequestAttributeTable = {
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 'max_tokens',
  [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 'temperature',
  [ATTR_GEN_AI_REQUEST_TOP_P]: 'top_p',
  [ATTR_GEN_AI_REQUEST_TOP_K]: 'top_k',
};
