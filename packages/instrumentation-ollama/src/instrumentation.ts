import {
  GEN_AI_PROVIDER,
  type GenAICall,
  GenAIInstrumentationBase,
  observeSettlement,
  observeStream,
  runSafely,
  serverFromBaseURL,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { OllamaInstrumentationConfig } from './types.js';
import { ENDPOINTS, type Endpoint, StreamedResponse } from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version.js';

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
    return function ollamaCall(this: { config?: { host?: unknown } }, ...args: unknown[]) {
      const request = args[0];
      if (!instrumentation.isActive() || typeof request !== 'object' || request === null) {
        return original.apply(this, args);
      }
      const call = runSafely('starting an Ollama span', () =>
        instrumentation.startCall(this, endpoint, request as Record<string, any>),
      );
      if (!call) return original.apply(this, args);
      let pending: Promise<unknown>;
      try {
        pending = context.with(call.context, original, this, ...args);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      const stream = (request as { stream?: unknown }).stream === true;
      const observed = runSafely(
        'observing an Ollama call',
        () =>
          observeSettlement(
            pending,
            (result) =>
              stream ? observeResponseStream(result, call, endpoint) : finish(call, endpoint, result),
            (error) => call.fail(error),
          ),
        false,
      );
      // Not a plain promise (another wrapper's): the call still ends, unpriced.
      if (!observed) call.end();
      return pending;
    };
  }

  private startCall(
    client: { config?: { host?: unknown } },
    endpoint: Endpoint,
    request: Record<string, any>,
  ) {
    const { requestModel, attributes } = endpoint.describe(request);
    const host = client?.config?.host;
    const call = this.recorder().start({
      provider: GEN_AI_PROVIDER.OLLAMA,
      operation: endpoint.operation,
      requestModel,
      ...serverFromBaseURL(typeof host === 'string' ? host : undefined),
      stream: request.stream === true,
      requestAttributes: attributes,
    });
    if (call.captureContent && endpoint.inputContent) call.recordContent(endpoint.inputContent(request));
    return call;
  }
}

/** Records a response (or the last streamed object) and ends the call. */
function finish(call: GenAICall, endpoint: Endpoint, response: unknown): void {
  runSafely('recording an Ollama response', () => {
    endpoint.onResult(call, response);
    if (call.captureContent && endpoint.outputContent && typeof response === 'object' && response !== null) {
      call.recordContent(endpoint.outputContent(response as Record<string, any>));
    }
  });
  call.end();
}

/**
 * Follows the `AbortableAsyncIterator` the application reads, in place (its class, `abort()`
 * and its controller are unchanged). `abort()` on it, or on the client, ends the call as an error.
 */
function observeResponseStream(stream: unknown, call: GenAICall, endpoint: Endpoint): void {
  const iterable = stream as {
    [Symbol.asyncIterator]?: unknown;
    abortController?: { signal?: unknown };
  } | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    call.end(); // nothing to follow: unpriced rather than guessed
    return;
  }
  const signal = iterable.abortController?.signal;
  const streamed = new StreamedResponse(call.captureContent);
  observeStream(iterable as object, {
    signal: signal instanceof AbortSignal ? signal : undefined,
    onChunk(chunk: unknown) {
      call.firstChunk();
      streamed.add(chunk);
    },
    onDone: () => finish(call, endpoint, streamed.snapshot()),
    // Stopped before its last object: no counts came, the call stays unpriced (never $0).
    onAbandon() {
      call.markPartial();
      finish(call, endpoint, streamed.snapshot());
    },
    onError(error: unknown) {
      call.markPartial();
      runSafely('recording an Ollama stream', () => endpoint.onResult(call, streamed.snapshot()));
      call.fail(error);
    },
  });
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
