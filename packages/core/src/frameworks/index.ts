export {
  AI_SDK_MIDDLEWARE_SCOPE,
  type AISDKGenerateResultLike,
  type AISDKModelLike,
  type AISDKStreamResultLike,
  type AicostModelMiddleware,
  aicostModelMiddleware,
  usageFromAISDK,
} from './ai-sdk-middleware.js';
