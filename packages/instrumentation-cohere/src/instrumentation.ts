import {
  type GenAICall,
  type GenAICallInfo,
  GenAIInstrumentationBase,
  observeSettlement,
  observeStream,
  runSafely,
  usageFromCohere,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';

import type {
  CohereInstrumentationConfig,
  V1ChatRequest,
  V1ChatResponse,
  V1StreamEvent,
  V2ChatRequest,
  V2ChatResponse,
  V2ClientLike,
  V2EmbedRequest,
  V2EmbedResponse,
  V2StreamEvent,
  WithRawResponse,
} from './types.js';
import {
  chatCallInfo,
  embedCallInfo,
  inputMessages,
  isAwsClient,
  outputMessages,
  StreamedChat,
  StreamedV1Chat,
  v1InputMessages,
  v1OutputMessages,
} from './utils.js';

export const PACKAGE_NAME = '@aicost/instrumentation-cohere';
export const PACKAGE_VERSION = '0.1.0';

/**
 * Versions of `cohere-ai` whose code paths this instrumentation knows: 8.x and
 * 7.x. Only a v2 client with `__chat` / `__chatStream` / `__embed` behind
 * `HttpResponsePromise` is patched (8.x, and 7.21 checked); a release without
 * them is left untouched.
 */
export const SUPPORTED_VERSIONS = ['>=8.0.0 <9', '>=7.0.0 <8'];

type AnyFunction = (...args: any[]) => any;
type Methods = Record<string, AnyFunction>;

/** The module's `CohereClient` class, for {@link CohereInstrumentation.manuallyInstrument}. */
interface CohereClientClassLike {
  prototype: object;
}
interface CohereModuleLike {
  CohereClient?: CohereClientClassLike;
  default?: { CohereClient?: CohereClientClassLike };
}

/**
 * OpenTelemetry GenAI instrumentation with cost for `cohere-ai` (v2 API): one
 * CLIENT span per `chat()` / `chatStream()` (`chat {model}`) and `embed()`
 * (`embeddings {model}`) of `CohereClientV2` (and `CohereClient#v2`), priced
 * from Cohere's billed units, with GenAI metrics.
 */
export class CohereInstrumentation extends GenAIInstrumentationBase<CohereInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of cohere-ai';

  constructor(config: CohereInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return SUPPORTED_VERSIONS.map((range) => this.sdkModuleDefinition('cohere-ai', [range]));
  }

  // -------------------------------------------------------------------------
  // Patching
  // -------------------------------------------------------------------------

  /**
   * The public methods (`chat`, ...) only wrap the internal ones (`__chat`,
   * ...) in an `HttpResponsePromise`; patching the internal ones leaves that
   * promise, `withRawResponse()` included, exactly as the SDK makes it, and
   * reaches `CohereClientV2` instances whatever their age (they bind the
   * public methods when constructed).
   */
  protected patchModule(moduleExports: CohereModuleLike | undefined): boolean {
    const v2 = v2ClientPrototype(moduleExports);
    const v1 = v1ClientPrototype(moduleExports);
    if (v2) {
      this.wrapOnce(v2, '__chat', (original) => this.patchedChat(original, false));
      this.wrapOnce(v2, '__chatStream', (original) => this.patchedChat(original, true));
      this.wrapOnce(v2, '__embed', (original) => this.patchedEmbed(original));
    }
    if (v1) {
      this.wrapOnce(v1, '__chat', (original) => this.patchedV1Chat(original, false));
      this.wrapOnce(v1, '__chatStream', (original) => this.patchedV1Chat(original, true));
      this.wrapOnce(v1, '__embed', (original) => this.patchedEmbed(original));
    }
    return v1 !== undefined || v2 !== undefined;
  }

  protected unpatchModule(moduleExports: CohereModuleLike | undefined): void {
    for (const client of [v2ClientPrototype(moduleExports), v1ClientPrototype(moduleExports)]) {
      for (const name of ['__chat', '__chatStream', '__embed']) {
        if (client && isWrapped(client[name])) this._unwrap(client, name);
      }
    }
  }

  /** Starts our span for one call, or returns undefined (then the call runs untouched). */
  private startCall(
    client: V2ClientLike,
    readInfo: () => GenAICallInfo,
    recordInput?: (call: GenAICall) => void,
  ): GenAICall | undefined {
    if (!this.isActive() || isAwsClient(client)) return undefined;
    const info = runSafely('reading a Cohere request', readInfo);
    if (!info) return undefined;
    return runSafely('starting a Cohere span', () => {
      const call = this.recorder().start(info);
      if (call.captureContent && recordInput) recordInput(call);
      return call;
    });
  }

  private patchedChat(original: AnyFunction, stream: boolean): AnyFunction {
    const instrumentation = this;
    return function chat(this: V2ClientLike, ...args: unknown[]) {
      const request = args[0] as V2ChatRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(
        this,
        () => chatCallInfo(this, request, stream),
        (started) => started.recordContent({ inputMessages: inputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      return settleOnTheSide(
        runInCall(call, () => original.apply(this, args)),
        call,
        (result) => {
          if (stream) observeChatStream(result?.data, call);
          else recordChat(call, result?.data as V2ChatResponse);
        },
      );
    };
  }

  /** The v1 API: one `message` per call, usage in the response's `meta`. */
  private patchedV1Chat(original: AnyFunction, stream: boolean): AnyFunction {
    const instrumentation = this;
    return function chat(this: V2ClientLike, ...args: unknown[]) {
      const request = args[0] as V1ChatRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(
        this,
        () => chatCallInfo(this, request, stream),
        (started) => started.recordContent({ inputMessages: v1InputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      return settleOnTheSide(
        runInCall(call, () => original.apply(this, args)),
        call,
        (result) => {
          if (stream) observeV1ChatStream(result?.data, call);
          else recordV1Chat(call, result?.data as V1ChatResponse);
        },
      );
    };
  }

  private patchedEmbed(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function embed(this: V2ClientLike, ...args: unknown[]) {
      const request = args[0] as V2EmbedRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(this, () => embedCallInfo(this, request));
      if (!call) return original.apply(this, args);
      const pending: Promise<WithRawResponse<V2EmbedResponse>> = runInCall(call, () =>
        original.apply(this, args),
      );
      return settleOnTheSide(pending, call, (result) => {
        runSafely('recording a Cohere embed response', () => {
          const response = result?.data;
          call.setResponse({ responseId: typeof response?.id === 'string' ? response.id : undefined });
          call.setUsage(usageFromCohere(response?.meta));
        });
        call.end();
      });
    };
  }
}

function runInCall(call: GenAICall, run: () => Promise<any>): Promise<any> {
  try {
    return context.with(call.context, run);
  } catch (error) {
    call.fail(error);
    throw error;
  }
}

/**
 * Settles `call` from the promise of an internal method (`__chat`, ...) and
 * returns that very promise (see {@link observeSettlement}): the SDK wraps it
 * in the `HttpResponsePromise` the application gets, as it would have without
 * us, so the application's `await` resumes on the same tick and a failed
 * request nobody asks the result of is still an unhandled rejection. A promise
 * that cannot be watched so (not a plain native one) gets a derived promise
 * instead, one microtask later.
 */
function settleOnTheSide<T>(
  pending: Promise<WithRawResponse<T>>,
  call: GenAICall,
  onValue: (result: WithRawResponse<T>) => void,
): Promise<WithRawResponse<T>> {
  // Retries are over when it rejects: this is the error the application gets, unchanged.
  const onError = (error: unknown) => call.fail(error);
  if (runSafely('observing a Cohere call', () => observeSettlement(pending, onValue, onError), false)) {
    return pending;
  }
  return Promise.resolve(pending).then(
    (result) => {
      runSafely('observing a Cohere response', () => onValue(result));
      return result;
    },
    (error: unknown) => {
      onError(error);
      throw error;
    },
  );
}

/**
 * `V2Client.prototype`. The SDK does not export the class from its main
 * module; `CohereClient#v2` creates it lazily in a getter, so one getter call
 * on a bare probe object yields an instance.
 */
function v2ClientPrototype(moduleExports: CohereModuleLike | undefined): Methods | undefined {
  const CohereClient = moduleExports?.CohereClient ?? moduleExports?.default?.CohereClient;
  let prototype: object | null | undefined = CohereClient?.prototype;
  let getter: (() => unknown) | undefined;
  while (prototype && !getter) {
    getter = Object.getOwnPropertyDescriptor(prototype, 'v2')?.get;
    prototype = Object.getPrototypeOf(prototype);
  }
  if (!getter) return undefined;
  const probe = { _options: {} };
  const v2 = runSafely('locating the Cohere v2 client', () => getter.call(probe));
  return v2 ? (Object.getPrototypeOf(v2) as Methods) : undefined;
}

/** The v1 `CohereClient.prototype`: the class in the chain that defines `__chat` (the module exports a subclass). */
function v1ClientPrototype(moduleExports: CohereModuleLike | undefined): Methods | undefined {
  let prototype: object | null | undefined = (
    moduleExports?.CohereClient ?? moduleExports?.default?.CohereClient
  )?.prototype;
  while (prototype && !Object.hasOwn(prototype, '__chat')) prototype = Object.getPrototypeOf(prototype);
  return prototype && prototype !== Object.prototype ? (prototype as Methods) : undefined;
}

// ---------------------------------------------------------------------------
// Recording responses
// ---------------------------------------------------------------------------

/**
 * Response attributes, the token ledger and (opt-in) the output content of one
 * chat response; ends the call. v2 responses name no model, so the request
 * model is what is priced. The ledger counts `billedUnits` (what Cohere
 * charges), not `tokens` (which include Cohere's own prompt template).
 */
function recordChat(call: GenAICall, response: V2ChatResponse | undefined): void {
  runSafely('recording a Cohere response', () => {
    if (!response || typeof response !== 'object') return;
    call.setResponse({
      responseId: typeof response.id === 'string' ? response.id : undefined,
      finishReasons: typeof response.finishReason === 'string' ? [response.finishReason] : undefined,
    });
    call.setUsage(usageFromCohere(response.usage));
    if (call.captureContent) call.recordContent({ outputMessages: outputMessages(response) });
  });
  call.end();
}

/**
 * Follows the SDK's `Stream` of v2 events in place (the object, its class and
 * its `controller` are unchanged). The span ends when the stream ends, fails,
 * or the application stops reading.
 */
function observeChatStream(stream: unknown, call: GenAICall): void {
  const iterable = stream as { [Symbol.asyncIterator]?: unknown } | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    call.end(); // nothing to follow: unpriced rather than guessed
    return;
  }
  const streamed = new StreamedChat(call.captureContent);
  const finish = () => recordChat(call, streamed.snapshot());
  observeStream(iterable as object, {
    onChunk(event: V2StreamEvent) {
      if (streamed.add(event)) call.firstChunk();
    },
    onDone: finish,
    // The application stopped reading: what the stream reported so far prices a
    // lower bound (`estimated` / `partial_stream`); likewise when it broke.
    onAbandon() {
      call.markPartial();
      finish();
    },
    onError(error: unknown) {
      call.markPartial();
      runSafely('recording a Cohere stream', () => {
        const snapshot = streamed.snapshot();
        call.setResponse({ responseId: snapshot.id });
        call.setUsage(usageFromCohere(snapshot.usage));
      });
      call.fail(error);
    },
  });
}

/** A v1 chat response: id, finish reason, billed units from `meta`, (opt-in) output; ends the call. */
function recordV1Chat(call: GenAICall, response: V1ChatResponse | undefined): void {
  runSafely('recording a Cohere v1 response', () => {
    if (!response || typeof response !== 'object') return;
    const id = response.responseId ?? response.generationId;
    call.setResponse({
      responseId: typeof id === 'string' ? id : undefined,
      finishReasons: typeof response.finishReason === 'string' ? [response.finishReason] : undefined,
    });
    call.setUsage(usageFromCohere(response.meta));
    if (call.captureContent) call.recordContent({ outputMessages: v1OutputMessages(response) });
  });
  call.end();
}

/** A v1 stream (newline-delimited JSON events), followed in place like the v2 one. */
function observeV1ChatStream(stream: unknown, call: GenAICall): void {
  const iterable = stream as { [Symbol.asyncIterator]?: unknown } | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    call.end();
    return;
  }
  const streamed = new StreamedV1Chat(call.captureContent);
  const finish = () => recordV1Chat(call, streamed.snapshot());
  observeStream(iterable as object, {
    onChunk(event: V1StreamEvent) {
      if (streamed.add(event)) call.firstChunk();
    },
    onDone: finish,
    onAbandon() {
      call.markPartial();
      finish();
    },
    onError(error: unknown) {
      call.markPartial();
      runSafely('recording a Cohere stream', () => call.setUsage(usageFromCohere(streamed.snapshot().meta)));
      call.fail(error);
    },
  });
}
