/**
 * Shared building blocks for aicost's provider instrumentations: one recorder
 * per instrumentation turns each GenAI call into a priced CLIENT span with
 * metrics; `observeStream` follows streamed responses in place; `runSafely`
 * keeps our failures out of the user's program; `providerFromBaseURL` names
 * who serves an OpenAI-compatible endpoint.
 */
export { GenAIInstrumentationBase, type GenAIInstrumentationConfig } from './base.js';
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
export { logOnce, resetLogOnce, runSafely, warnOnce } from './safety.js';
export { isThenable, observeSettlement } from './settlement.js';
export { abortError, observeStream, type StreamObserver } from './stream.js';
