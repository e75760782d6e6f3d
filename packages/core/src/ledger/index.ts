export { usageFromAnthropic } from './anthropic.js';
export { usageFromAttributes, usageToAttributes } from './attributes.js';
export {
  BEDROCK_TOKEN_HEADERS,
  type BedrockModelFamily,
  bedrockModelFamily,
  type HeadersLike,
  usageFromBedrockConverse,
  usageFromBedrockHeaders,
  usageFromBedrockInvocationMetrics,
  usageFromBedrockInvokeModel,
} from './bedrock.js';
export { usageFromCohere } from './cohere.js';
export {
  FOREIGN_USAGE_ATTRIBUTES,
  type ForeignUsage,
  readForeignUsage,
  readGenAIUsage,
  readOpenInference,
  readVercelAI,
  USAGE_SOURCE,
  type UsageSource,
} from './foreign.js';
export { usageFromGemini } from './gemini.js';
export { usageFromOllama } from './ollama.js';
export { usageFromMistral, usageFromOpenAIChat, usageFromOpenAIResponses } from './openai.js';
export {
  addUsage,
  buildUsage,
  CountReader,
  invalidUsage,
  isInvalidUsage,
  isTokenUsage,
  MAX_TOKEN_COUNT,
  type UsageParts,
  validateUsage,
} from './usage.js';
