import {
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  type RequestAttributeTable,
} from '@aicost/core';

/** Which field of a chat completion request holds each numeric `gen_ai.request.*` attribute. */
export const CHAT_REQUEST_ATTRIBUTES: RequestAttributeTable = {
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 'max_completion_tokens',
  [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 'temperature',
  [ATTR_GEN_AI_REQUEST_TOP_P]: 'top_p',
  [ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY]: 'frequency_penalty',
  [ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY]: 'presence_penalty',
  [ATTR_GEN_AI_REQUEST_SEED]: 'seed',
};
