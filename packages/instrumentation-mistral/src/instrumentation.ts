import {
  GEN_AI_OPERATION,
  type GenAICall,
  type GenAICallInfo,
  GenAIInstrumentationBase,
  observeSettlement,
  observeStream,
  runSafely,
  type StreamObserver,
  usageFromMistral,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';

import type {
  ChatCompletionResponse,
  ChatRequest,
  CompletionChunk,
  EmbeddingRequest,
  EmbeddingResponse,
  MistralInstrumentationConfig,
  MistralResourceLike,
} from './types.js';
import {
  completionCallInfo,
  embeddingsCallInfo,
  finishReasons,
  inputMessages,
  outputMessages,
  runAsOwnCall,
  StreamedCompletion,
  silenceSdkSpansInOwnCalls,
} from './utils.js';

export const PACKAGE_NAME = '@aicost/instrumentation-mistral';
export const PACKAGE_VERSION = '0.1.0';

/**
 * Versions of `@mistralai/mistralai` whose code paths this instrumentation
 * knows: the 2.x line (ESM only, traces itself) and 1.x (same resources and
 * method names, no self-tracing).
 */
export const SUPPORTED_VERSIONS = ['>=2.0.0 <3', '>=1.0.0 <2'];

type AnyFunction = (...args: any[]) => any;
type Methods = Record<string, AnyFunction>;

/**
 * The completion methods of each resource: those resolving to a response, and
 * those resolving to an `EventStream`.
 */
const COMPLETION_METHODS = {
  chat: { operation: GEN_AI_OPERATION.CHAT, plain: ['complete', 'parse'], stream: ['stream', 'parseStream'] },
  fim: { operation: GEN_AI_OPERATION.TEXT_COMPLETION, plain: ['complete'], stream: ['stream'] },
} as const;

/** The module's `Mistral` class, for {@link MistralInstrumentation.manuallyInstrument}. */
interface MistralClassLike {
  prototype: object;
}
interface MistralModuleLike {
  Mistral?: MistralClassLike;
  default?: MistralClassLike | { Mistral?: MistralClassLike };
}

/**
 * OpenTelemetry GenAI instrumentation with cost for `@mistralai/mistralai`:
 * one CLIENT span per `chat.complete()` / `chat.parse()` / `chat.stream()` /
 * `chat.parseStream()` (`chat {model}`), `fim.complete()` / `fim.stream()`
 * (`text_completion {model}`) and `embeddings.create()` (`embeddings {model}`),
 * priced from the token ledger, with GenAI metrics.
 * The SDK's own span for these calls is not started (see {@link silenceSdkSpansInOwnCalls}).
 */
export class MistralInstrumentation extends GenAIInstrumentationBase<MistralInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of @mistralai/mistralai or its Mistral class';

  constructor(config: MistralInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return SUPPORTED_VERSIONS.map((range) => this.sdkModuleDefinition('@mistralai/mistralai', [range]));
  }

  // -------------------------------------------------------------------------
  // Patching
  // -------------------------------------------------------------------------

  protected patchModule(moduleExports: MistralModuleLike | undefined): boolean {
    const resources = resourcePrototypes(moduleExports);
    if (!resources) return false;
    for (const [resource, { operation, plain, stream }] of Object.entries(COMPLETION_METHODS)) {
      const methods = resources[resource as keyof typeof COMPLETION_METHODS];
      for (const name of plain) {
        this.wrapOnce(methods, name, (original) => this.patchedCompletion(original, operation, false));
      }
      for (const name of stream) {
        this.wrapOnce(methods, name, (original) => this.patchedCompletion(original, operation, true));
      }
    }
    this.wrapOnce(resources.embeddings, 'create', (original) => this.patchedEmbeddings(original));
    return true;
  }

  protected unpatchModule(moduleExports: MistralModuleLike | undefined): void {
    const resources = resourcePrototypes(moduleExports);
    if (!resources) return;
    for (const [resource, { plain, stream }] of Object.entries(COMPLETION_METHODS)) {
      const methods = resources[resource as keyof typeof COMPLETION_METHODS];
      for (const name of [...plain, ...stream]) {
        if (methods && isWrapped(methods[name])) this._unwrap(methods, name);
      }
    }
    if (isWrapped(resources.embeddings?.create)) this._unwrap(resources.embeddings!, 'create');
  }

  /**
   * Starts our span for one call, or returns undefined (then the call runs
   * untouched): instrumentation off, unexpected arguments, or an internal failure.
   */
  private startCall(readInfo: () => GenAICallInfo, recordInput?: (call: GenAICall) => void) {
    if (!this.isActive()) return undefined;
    const info = runSafely('reading a Mistral request', readInfo);
    if (!info) return undefined;
    return runSafely('starting a Mistral span', () => {
      const call = this.recorder().start(info);
      if (call.captureContent && recordInput) recordInput(call);
      return call;
    });
  }

  private patchedCompletion(original: AnyFunction, operation: string, stream: boolean): AnyFunction {
    const instrumentation = this;
    return function completion(this: MistralResourceLike, ...args: unknown[]) {
      const request = args[0] as ChatRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(
        () => completionCallInfo(this, request, operation, stream),
        (started) => started.recordContent({ inputMessages: inputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      const pending = callAsOwn(this, call, () => original.apply(this, args));
      return settleOnTheSide(
        pending,
        call,
        stream
          ? (result: unknown) => observeChatStream(result, call)
          : (result: unknown) => recordCompletion(call, result as ChatCompletionResponse),
      );
    };
  }

  private patchedEmbeddings(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function create(this: MistralResourceLike, ...args: unknown[]) {
      const request = args[0] as EmbeddingRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(() => embeddingsCallInfo(this, request));
      if (!call) return original.apply(this, args);
      const pending = callAsOwn(this, call, () => original.apply(this, args));
      return settleOnTheSide(pending, call, (response: EmbeddingResponse) => {
        runSafely('recording a Mistral embeddings response', () => {
          call.setResponse({ responseModel: response?.model, responseId: response?.id });
          call.setUsage(usageFromMistral(response?.usage));
        });
        call.end();
      });
    };
  }
}

/**
 * Runs the SDK method in our span's context, marked as our call so the SDK's
 * own tracing hook stands aside for it.
 */
function callAsOwn(resource: MistralResourceLike, call: GenAICall, run: () => Promise<any>): Promise<any> {
  runSafely("silencing the Mistral SDK's own spans", () => silenceSdkSpansInOwnCalls(resource));
  try {
    return context.with(call.context, () => runAsOwnCall(run));
  } catch (error) {
    call.fail(error);
    throw error;
  }
}

/**
 * Settles `call` from the SDK's promise and returns that very promise (see
 * {@link observeSettlement}): the application awaits what it would have
 * awaited, unhandled rejections included. A promise that cannot be watched so
 * (not a plain native one) gets a derived promise instead, one microtask later.
 */
function settleOnTheSide<T>(pending: Promise<T>, call: GenAICall, onValue: (value: T) => void): Promise<T> {
  // Retries are over when it rejects: this is the error the application gets, unchanged.
  const onError = (error: unknown) => call.fail(error);
  if (runSafely('observing a Mistral call', () => observeSettlement(pending, onValue, onError), false)) {
    return pending;
  }
  return Promise.resolve(pending).then(
    (value) => {
      runSafely('observing a Mistral response', () => onValue(value));
      return value;
    },
    (error: unknown) => {
      onError(error);
      throw error;
    },
  );
}

/**
 * `Chat.prototype`, `Fim.prototype` and `Embeddings.prototype`. The SDK
 * exports none of these classes from its main module; its `Mistral` client
 * creates them lazily in getters, so one getter call on a bare probe object
 * yields an instance of each.
 */
function resourcePrototypes(
  moduleExports: MistralModuleLike | undefined,
): Record<'chat' | 'fim' | 'embeddings', Methods | undefined> | undefined {
  const fromDefault = (moduleExports?.default as { Mistral?: MistralClassLike } | undefined)?.Mistral;
  const Mistral =
    moduleExports?.Mistral ??
    fromDefault ??
    (typeof moduleExports === 'function' ? (moduleExports as MistralClassLike) : undefined);
  const prototype = Mistral?.prototype;
  if (!prototype) return undefined;
  const resource = (name: string): Methods | undefined => {
    const getter = Object.getOwnPropertyDescriptor(prototype, name)?.get;
    if (!getter) return undefined;
    const probe = { _options: {} };
    const instance = runSafely(`locating the Mistral ${name} resource`, () => getter.call(probe));
    return instance ? (Object.getPrototypeOf(instance) as Methods) : undefined;
  };
  const found = { chat: resource('chat'), fim: resource('fim'), embeddings: resource('embeddings') };
  return found.chat || found.fim || found.embeddings ? found : undefined;
}

// ---------------------------------------------------------------------------
// Recording responses
// ---------------------------------------------------------------------------

/** Response attributes, the token ledger and (opt-in) the output content of one completion; ends the call. */
function recordCompletion(call: GenAICall, response: ChatCompletionResponse | undefined): void {
  runSafely('recording a Mistral response', () => {
    if (!response || typeof response !== 'object') return;
    call.setResponse({
      responseModel: typeof response.model === 'string' ? response.model : undefined,
      responseId: typeof response.id === 'string' ? response.id : undefined,
      finishReasons: finishReasons(response.choices),
    });
    call.setUsage(usageFromMistral(response.usage));
    if (call.captureContent) call.recordContent({ outputMessages: outputMessages(response) });
  });
  call.end();
}

/**
 * Follows the `EventStream` the application reads (a `ReadableStream` of
 * `{ data: CompletionChunk }`), in place: the object, its class and its
 * methods are unchanged. Observed: its async iterator (`for await`, the SDK's
 * documented way) and a default reader from `getReader()`. The span ends when
 * the stream ends, fails, or the application stops reading.
 */
function observeChatStream(stream: unknown, call: GenAICall): void {
  const iterable = stream as { [Symbol.asyncIterator]?: unknown } | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    call.end(); // nothing to follow: unpriced rather than guessed
    return;
  }
  const streamed = new StreamedCompletion(call.captureContent);
  const observer: StreamObserver<{ data?: CompletionChunk }> = {
    onChunk(event) {
      if (streamed.add(event?.data)) call.firstChunk();
    },
    onDone: () => recordCompletion(call, streamed.snapshot()),
    // The application stopped reading: what the stream reported so far prices a
    // lower bound (`estimated` / `partial_stream`); likewise when it broke.
    onAbandon() {
      call.markPartial();
      recordCompletion(call, streamed.snapshot());
    },
    onError(error: unknown) {
      call.markPartial();
      runSafely('recording a Mistral stream', () => {
        const snapshot = streamed.snapshot();
        call.setResponse({ responseModel: snapshot.model, responseId: snapshot.id });
        call.setUsage(usageFromMistral(snapshot.usage));
      });
      call.fail(error);
    },
  };
  observeStream(iterable as object, observer);
  runSafely('observing a Mistral stream reader', () =>
    observeDefaultReader(iterable as ReadableStreamLike, observer),
  );
}

interface ReadableStreamLike {
  getReader?: (...args: unknown[]) => ReadableStreamDefaultReader<unknown>;
}

/**
 * `getReader()` reads the stream without its async iterator: the reader it
 * returns gets its `read()` and `cancel()` observed as own properties (the
 * reader object and its class are the platform's own). A BYOB reader is left
 * alone (an `EventStream` carries objects, not bytes).
 */
function observeDefaultReader(stream: ReadableStreamLike, observer: StreamObserver<any>): void {
  const getReader = stream.getReader;
  if (typeof getReader !== 'function') return;
  Object.defineProperty(stream, 'getReader', {
    configurable: true,
    writable: true,
    value: function getObservedReader(this: unknown, ...args: unknown[]) {
      const reader = getReader.apply(this, args);
      const options = args[0] as { mode?: unknown } | undefined;
      if (options?.mode === undefined)
        runSafely('observing a Mistral stream reader', () => observeReader(reader, observer));
      return reader;
    },
  });
}

function observeReader(reader: ReadableStreamDefaultReader<unknown>, observer: StreamObserver<any>): void {
  const read = reader.read;
  const cancel = reader.cancel;
  const settle = (callback: (() => void) | undefined) =>
    runSafely('observing a Mistral stream reader', () => callback?.());
  Object.defineProperty(reader, 'read', {
    configurable: true,
    writable: true,
    value: function observedRead(this: ReadableStreamDefaultReader<unknown>) {
      return read.call(this).then(
        (result) => {
          if (result.done) settle(() => observer.onDone?.());
          else settle(() => observer.onChunk?.(result.value));
          return result;
        },
        (error: unknown) => {
          settle(() => observer.onError?.(error));
          throw error;
        },
      );
    },
  });
  Object.defineProperty(reader, 'cancel', {
    configurable: true,
    writable: true,
    value: function observedCancel(this: ReadableStreamDefaultReader<unknown>, reason?: unknown) {
      settle(() => observer.onAbandon?.());
      return cancel.call(this, reason);
    },
  });
}
