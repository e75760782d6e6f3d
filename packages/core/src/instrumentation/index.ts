/**
 * Shared building blocks for aicost's provider instrumentations: one recorder
 * per instrumentation turns each GenAI call into a priced CLIENT span with
 * metrics; the call lifecycle (`startCall`, `runCall`, `observeAPIPromise`,
 * `observeCompletionStream`) runs an SDK call in its span and reads its
 * response without changing what the application sees; `runSafely` keeps our
 * failures out of the user's program; `providerFromBaseURL` names who serves an
 * OpenAI-compatible endpoint.
 */
export {
  type APIPromiseLike,
  type APIPromiseReader,
  isAPIPromise,
  observeAPIPromise,
} from './api-promise.js';
export { GenAIInstrumentationBase, type GenAIInstrumentationConfig, instrumentModule } from './base.js';
export { type ReadResult, readResponse, runCall, runInCall, type SettleOptions, settle } from './call.js';
export { ChatChoiceDeltas, chatFinishReason, chatMessageParts } from './chat-choices.js';
export {
  type CompletionStreamOptions,
  type CompletionStreamReader,
  isAsyncIterable,
  observeCompletionStream,
} from './completion-stream.js';
export { envFlag, resolveCaptureContent } from './config.js';
export { providerFromBaseURL, serverFromBaseURL } from './provider.js';
export {
  createGenAIRecorder,
  errorType,
  type GenAICall,
  type GenAICallInfo,
  type GenAICallMetrics,
  type GenAICallRecord,
  type GenAIContent,
  type GenAIRecorder,
  type GenAIRecorderOptions,
  type GenAIResponseInfo,
} from './recorder.js';
export {
  type RequestAttributeFields,
  type RequestAttributeTable,
  readRequestAttributes,
} from './request-attributes.js';
export { logOnce, resetLogOnce, runSafely, warnOnce } from './safety.js';
export { isThenable, observeSettlement, RejectionParity } from './settlement.js';
export { abortError, observeStream, type StreamObserver } from './stream.js';
