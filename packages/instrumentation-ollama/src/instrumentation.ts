import {
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  GenAIInstrumentationBase,
  observeCompletionStream,
  runCall,
  serverFromBaseURL,
} from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { OllamaInstrumentationConfig } from './types.js';
import { ENDPOINTS, type Endpoint, StreamedResponse } from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The `ollama` versions whose `Ollama` class this instrumentation knows (`chat`, `generate`, `embed`). */
export const SUPPORTED_VERSIONS = ['>=0.5.0 <1'];

type AnyFunction = (...args: any[]) => any;

/**
 * OpenTelemetry GenAI instrumentation with cost for `ollama` (CJS and ESM): one CLIENT span
 * per `chat()` (`chat {model}`), `generate()` (`text_completion {model}`) and `embed()`
 * (`embeddings {model}`), streamed or not, with the token ledger and GenAI metrics.
 *
 * Ollama runs on the user's own machines: `gen_ai.provider.name` is `ollama`, priced by the
 * user's self-hosted rate (per token or per GPU-hour), never by a vendor's list price.
 */
export class OllamaInstrumentation extends GenAIInstrumentationBase<OllamaInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of ollama or its Ollama class';

  constructor(config: OllamaInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [this.sdkModuleDefinition('ollama', SUPPORTED_VERSIONS)];
  }

  protected patchModule(moduleExports: unknown): boolean {
    const prototype = methodsPrototype(moduleExports);
    if (!prototype) return false;
    for (const [method, endpoint] of Object.entries(ENDPOINTS)) {
      this.wrapOnce(prototype, method, (original) => this.patched(original, endpoint));
    }
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const prototype = methodsPrototype(moduleExports);
    for (const method of Object.keys(ENDPOINTS)) {
      if (prototype && isWrapped(prototype[method])) this._unwrap(prototype, method);
    }
  }

  private patched(original: AnyFunction, endpoint: Endpoint): AnyFunction {
    const instrumentation = this;
    return function ollamaCall(this: OllamaClientLike, ...args: unknown[]) {
      const request = args[0] as Record<string, any> | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      let stream = false;
      // The request is read here only, inside startCall: a getter that throws is logged, not thrown.
      const call = instrumentation.startCall(
        () => {
          const info = callInfo(this, endpoint, request);
          stream = info.stream === true;
          return info;
        },
        endpoint.inputContent && (() => endpoint.inputContent!(request)),
      );
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => original.apply(this, args),
        stream
          ? (stream: unknown) => observeResponseStream(call, endpoint, stream)
          : (response: unknown) => recordResponse(call, endpoint, response),
      );
    };
  }
}

interface OllamaClientLike {
  config?: { host?: unknown };
}

function callInfo(client: OllamaClientLike, endpoint: Endpoint, request: Record<string, any>): GenAICallInfo {
  const { requestModel, attributes } = endpoint.describe(request);
  const host = client?.config?.host;
  return {
    provider: GEN_AI_PROVIDER.OLLAMA,
    operation: endpoint.operation,
    requestModel,
    ...serverFromBaseURL(typeof host === 'string' ? host : undefined),
    stream: request.stream === true,
    requestAttributes: attributes,
  };
}

/** Writes a response (or the last streamed object) to the call: the caller ends it. */
function recordResponse(call: GenAICall, endpoint: Endpoint, response: unknown): void {
  endpoint.onResult(call, response);
  if (call.captureContent && endpoint.outputContent && typeof response === 'object' && response !== null) {
    call.recordContent(endpoint.outputContent(response as Record<string, any>));
  }
}

/**
 * Follows the `AbortableAsyncIterator` the application reads, in place (its class, `abort()`
 * and its controller are unchanged). `abort()` on it, or on the client, ends the call as an
 * error; stopped before its last object, the call has no counts (unpriced, never $0). Returns
 * `true`: the stream took the call over (it ends when the stream does).
 */
function observeResponseStream(call: GenAICall, endpoint: Endpoint, stream: unknown): boolean {
  const signal = (stream as { abortController?: { signal?: unknown } } | null)?.abortController?.signal;
  const streamed = new StreamedResponse(call.captureContent);
  return observeCompletionStream(
    call,
    stream,
    {
      add: (chunk: unknown) => streamed.add(chunk),
      finish: () => recordResponse(call, endpoint, streamed.snapshot()),
    },
    { signal: signal instanceof AbortSignal ? signal : undefined },
  );
}

/**
 * The prototype that defines the generation methods: the `Ollama` class of `require('ollama')`,
 * an ESM namespace, or the class itself (its browser base class holds them).
 */
function methodsPrototype(moduleExports: unknown): Record<string, AnyFunction> | undefined {
  const exports = moduleExports as { Ollama?: unknown; default?: { Ollama?: unknown } } | undefined;
  const candidate =
    exports?.Ollama ??
    exports?.default?.Ollama ??
    (typeof moduleExports === 'function' ? moduleExports : undefined);
  if (typeof candidate !== 'function') return undefined;
  for (
    let prototype = candidate.prototype;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    if (Object.hasOwn(prototype, 'chat') && typeof prototype.chat === 'function') return prototype;
  }
  return undefined;
}
