export {
  AI_SDK_MIDDLEWARE_SCOPE,
  type AISDKGenerateResultLike,
  type AISDKModelLike,
  type AISDKStreamResultLike,
  type AicostModelMiddleware,
  aicostModelMiddleware,
  usageFromAISDK,
} from './ai-sdk-middleware.js';
export {
  CLAUDE_AGENT_SDK_COST_SOURCE,
  CLAUDE_AGENT_SDK_SCOPE,
  ClaudeAgentCostRecorder,
  type ClaudeAgentMessageLike,
  type ClaudeAgentModelUsageLike,
} from './claude-agent-sdk.js';
