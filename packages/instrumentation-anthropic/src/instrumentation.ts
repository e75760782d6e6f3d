import {
  GEN_AI_PROVIDER,
  type GenAICall,
  GenAIInstrumentationBase,
  logOnce,
  observeStream,
  runSafely,
  usageFromAnthropic,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
import { InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import type {
  AnthropicInstrumentationConfig,
  AnthropicMessage,
  AnthropicStreamEvent,
  APIPromiseLike,
  MessageCreateParams,
  MessagesResourceLike,
  ResponseProps,
  StreamLike,
} from './types.js';
import {
  APIUserAbortError,
  callInfo,
  inputMessages,
  outputMessages,
  StreamedMessage,
  systemInstructions,
  withSdkSpansSilenced,
} from './utils.js';

export const PACKAGE_NAME = '@aicost/instrumentation-anthropic';
export const PACKAGE_VERSION = '0.1.0';

/**
 * Versions of `@anthropic-ai/sdk` whose code paths this instrumentation knows:
 * the current major and the previous one (the last 0.x releases already trace
 * themselves, like 1.x).
 */
export const SUPPORTED_VERSIONS = ['>=1.0.0 <2', '>=0.50.0 <1'];

/**
 * The files that define the `Messages` resources, stable and beta. Patched
 * where they are defined, not only through the package's main module: the Bedrock
 * and Vertex clients (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`)
 * import `@anthropic-ai/sdk/resources/...` and `/client` without ever loading
 * the main module.
 */
const MESSAGES_FILES = ['resources/messages/messages', 'resources/beta/messages/messages'];

type AnyFunction = (...args: any[]) => any;

/** A `Messages` class, as the SDK's files export it. */
interface MessagesClassLike {
  prototype: object;
}

/** The main module's `Anthropic` class (or the module namespace): its static `Messages` classes. */
interface AnthropicClassLike {
  Messages?: MessagesClassLike;
  Beta?: { Messages?: MessagesClassLike };
}
interface AnthropicModuleLike extends AnthropicClassLike {
  Anthropic?: AnthropicClassLike;
  default?: AnthropicClassLike;
}

function anthropicClassOf(exports: AnthropicModuleLike | undefined): AnthropicClassLike | undefined {
  return exports?.Anthropic ?? exports?.default ?? exports;
}

/**
 * OpenTelemetry GenAI instrumentation with cost for `@anthropic-ai/sdk`: one
 * CLIENT span `chat {model}` per `messages.create()` / `messages.stream()`
 * (stable and beta), priced from the token ledger, with GenAI metrics.
 */
export class AnthropicInstrumentation extends GenAIInstrumentationBase<AnthropicInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of @anthropic-ai/sdk or its Anthropic class';

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    // The main module too: an ESM loader hook that wraps only the modules it is told
    // about by name (import-in-the-middle's include list) never shows us the files.
    return SUPPORTED_VERSIONS.map((range) =>
      this.sdkModuleDefinition(
        '@anthropic-ai/sdk',
        [range],
        MESSAGES_FILES.flatMap((file) =>
          // `.js` when required, `.mjs` when imported.
          ['.js', '.mjs'].map(
            (extension) =>
              new InstrumentationNodeModuleFile(
                `@anthropic-ai/sdk/${file}${extension}`,
                [range],
                (fileExports: { Messages?: MessagesClassLike }) => {
                  this.patchMessages(fileExports?.Messages);
                  return fileExports;
                },
                (fileExports?: { Messages?: MessagesClassLike }) =>
                  this.unpatchMessages(fileExports?.Messages),
              ),
          ),
        ),
      ),
    );
  }

  // -------------------------------------------------------------------------
  // Patching
  // -------------------------------------------------------------------------

  /** The `Messages` classes the `Anthropic` class exposes; false when `exports` has none. */
  protected patchModule(exports: AnthropicModuleLike | undefined): boolean {
    const sdk = anthropicClassOf(exports);
    if (!sdk?.Messages) return false;
    this.patchMessages(sdk.Messages);
    this.patchMessages(sdk.Beta?.Messages);
    return true;
  }

  protected unpatchModule(exports: AnthropicModuleLike | undefined): void {
    const sdk = anthropicClassOf(exports);
    this.unpatchMessages(sdk?.Messages);
    this.unpatchMessages(sdk?.Beta?.Messages);
  }

  private patchMessages(Messages: MessagesClassLike | undefined): void {
    const methods = Messages?.prototype as Record<string, AnyFunction> | undefined;
    if (!methods) return;
    // Another instance (or the hooks after a manual patch) got here first: one span per call.
    if (typeof methods.create === 'function' && !isWrapped(methods.create)) {
      this._wrap(methods, 'create', (original) => this.patchedCreate(original) as any);
    }
    if (typeof methods.stream === 'function' && !isWrapped(methods.stream)) {
      this._wrap(methods, 'stream', (original) => this.patchedStream(original) as any);
    }
  }

  private unpatchMessages(Messages: MessagesClassLike | undefined): void {
    const methods = Messages?.prototype as Record<string, AnyFunction> | undefined;
    if (!methods) return;
    if (isWrapped(methods.create)) this._unwrap(methods, 'create');
    if (isWrapped(methods.stream)) this._unwrap(methods, 'stream');
  }

  /** `messages.create()`: every Messages call goes through it, including `stream()` and `parse()`. */
  private patchedCreate(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function create(this: MessagesResourceLike, ...args: unknown[]) {
      const params = args[0] as MessageCreateParams | undefined;
      if (!instrumentation.isActive() || typeof params !== 'object' || params === null) {
        return original.apply(this, args);
      }
      const client = this?._client;
      const info = runSafely('reading an Anthropic request', () => callInfo(client, params));
      const call = runSafely('starting an Anthropic span', () => {
        if (!info) return undefined;
        const started = instrumentation.recorder().start(info);
        if (started.captureContent) {
          started.recordContent({
            inputMessages: inputMessages(params),
            systemInstructions: systemInstructions(params),
          });
        }
        return started;
      });
      if (!info || !call) return original.apply(this, args);
      const record = (message: AnthropicMessage) => recordMessage(call, message, info.provider);

      let apiPromise: APIPromiseLike;
      try {
        apiPromise = context.with(call.context, () =>
          withSdkSpansSilenced(client, () => original.apply(this, args)),
        );
      } catch (error) {
        call.fail(error);
        throw error;
      }
      runSafely('observing an Anthropic response', () => {
        const claims = watchClaims(apiPromise);
        if (params.stream === true) observeStreamedResponse(apiPromise, call, record, claims);
        else observeMessageResponse(apiPromise, call, record, claims);
      });
      return apiPromise;
    };
  }

  /**
   * `messages.stream()`: its span comes from the `create()` call inside; the
   * SDK's helper starts its own span before that call, so silence it here too.
   */
  private patchedStream(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function stream(this: MessagesResourceLike, ...args: unknown[]) {
      if (!instrumentation.isActive()) return original.apply(this, args);
      return withSdkSpansSilenced(this?._client, () => original.apply(this, args));
    };
  }
}

// ---------------------------------------------------------------------------
// Observing one call. The APIPromise is lazy (the body is parsed only when
// someone awaits it) and shared by `await`, `withResponse()` and `asResponse()`:
// nothing here may consume the body the application is going to read.
// ---------------------------------------------------------------------------

function responsePropsOf(apiPromise: APIPromiseLike): Promise<ResponseProps> | undefined {
  if (typeof apiPromise._responseProps === 'function') return apiPromise._responseProps();
  return apiPromise.responsePromise;
}

/** Records one Message (plain, or as far as a stream got) on the call. */
type MessageRecorder = (message: AnthropicMessage) => void;

/**
 * Whether the application asked for the result of a call. Observing the request
 * (below) handles its rejection; without us, a failed request whose result
 * nobody asks for (fire-and-forget) is an unhandled rejection. `failed()`
 * re-raises the error on a promise of ours until the application asks for the
 * result, which marks it handled, as the SDK's own promise would be.
 */
interface Claims {
  failed(error: unknown): void;
}

function watchClaims(apiPromise: APIPromiseLike): Claims {
  let claimed = false;
  let unclaimed: Promise<never> | undefined;
  const claim = () => {
    claimed = true;
    unclaimed?.catch(() => {});
    unclaimed = undefined;
  };
  const watch = (promise: APIPromiseLike) => {
    for (const name of ['parse', 'asResponse'] as const) {
      const original = promise[name] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof original !== 'function') continue;
      Object.defineProperty(promise, name, {
        configurable: true,
        writable: true,
        value: function claimed(this: unknown, ...args: unknown[]) {
          claim();
          return original.apply(this, args);
        },
      });
    }
    const thenUnwrap = promise._thenUnwrap;
    if (typeof thenUnwrap === 'function') {
      Object.defineProperty(promise, '_thenUnwrap', {
        configurable: true,
        writable: true,
        value: function derive(this: unknown, ...args: [(value: unknown, props: unknown) => unknown]) {
          const derived = thenUnwrap.apply(this, args);
          if (derived && typeof derived === 'object') {
            runSafely('observing a derived Anthropic promise', () => watch(derived as APIPromiseLike));
          }
          return derived;
        },
      });
    }
  };
  watch(apiPromise);
  return {
    failed(error) {
      if (!claimed) unclaimed = Promise.reject(error);
    },
  };
}

/**
 * A plain Message, recorded once whoever reads it:
 * - when the application asks for the result (await, `then`, `withResponse()`,
 *   a derived helper such as `parse()`), from the SDK's own parse of the body:
 *   no second read, no second JSON parse;
 * - otherwise (fire-and-forget, or `asResponse()` with the application reading
 *   the body itself), from a clone of the response, so the span still ends
 *   priced and the application's body stays unread.
 */
function observeMessageResponse(
  apiPromise: APIPromiseLike,
  call: GenAICall,
  record: MessageRecorder,
  claims: Claims,
): void {
  const responseProps = responsePropsOf(apiPromise);
  if (!responseProps) {
    call.end();
    return;
  }
  let parsing = false;
  let recorded = false;
  const recordOnce = (message: AnthropicMessage) => {
    if (recorded || call.ended) return;
    recorded = true;
    record(message);
    call.end();
  };

  const parse = apiPromise.parseResponse;
  if (typeof parse === 'function') {
    // Derived promises (`_thenUnwrap`) call the root's parseResponse too: one hook sees every SDK parse.
    apiPromise.parseResponse = function parseObserved(this: unknown, ...args: [unknown, ResponseProps]) {
      parsing = true;
      let parsed: unknown;
      try {
        parsed = parse.apply(this, args);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      // Observed on the side: the SDK's own promise goes back, same object, same ticks.
      Promise.resolve(parsed).then(
        (message) => runSafely('reading an Anthropic message', () => recordOnce(message as AnthropicMessage)),
        (error: unknown) => call.fail(error),
      );
      return parsed;
    };
  }

  responseProps
    .then(
      (props) => {
        // An application waiting for the result has begun the SDK's parse by the time
        // this runs (its reaction to the response was queued after ours); if nobody
        // has, clone now, before anyone else reads the body.
        queueMicrotask(() => {
          if (parsing || call.ended) return;
          runSafely('reading an unclaimed Anthropic response', () =>
            recordFromClone(props.response, call, recordOnce),
          );
        });
      },
      // Retries are over: this is the error the application gets, unchanged.
      (error: unknown) => {
        call.fail(error);
        claims.failed(error);
      },
    )
    .catch((error: unknown) => logOnce('observing an Anthropic response', error));
}

function recordFromClone(response: Response, call: GenAICall, recordOnce: MessageRecorder): void {
  if (response.bodyUsed) {
    call.end(); // unreadable here: the call stays unpriced rather than guessed
    return;
  }
  response
    .clone()
    .text()
    .then(
      (text) => {
        let message: AnthropicMessage;
        try {
          message = JSON.parse(text) as AnthropicMessage;
        } catch (error) {
          // The application's own parse of this body fails the same way.
          call.fail(error);
          return;
        }
        recordOnce(message);
      },
      (error: unknown) => call.fail(error),
    )
    .catch((error: unknown) => logOnce('observing an Anthropic response', error));
}

/**
 * A streamed Message: the SDK builds its `Stream` when the body is parsed;
 * that parse is hooked in place so the very `Stream` the application gets is
 * observed (its identity, `tee()`, `toReadableStream()` and `controller` stay).
 */
function observeStreamedResponse(
  apiPromise: APIPromiseLike,
  call: GenAICall,
  record: MessageRecorder,
  claims: Claims,
): void {
  responsePropsOf(apiPromise)?.then(undefined, (error: unknown) => {
    call.fail(error);
    claims.failed(error);
  });

  const parse = apiPromise.parseResponse;
  if (typeof parse !== 'function') {
    call.end();
    return;
  }
  apiPromise.parseResponse = async function parseObserved(this: unknown, ...args: [unknown, ResponseProps]) {
    let data: unknown;
    try {
      data = await parse.apply(this, args);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    runSafely('observing an Anthropic stream', () => observeEvents(data as StreamLike, call, record));
    return data;
  };

  // The raw response taken without a parse: nobody will read the events
  // through the SDK, so the call ends now, without usage (unpriced).
  const asResponse = apiPromise.asResponse;
  if (typeof asResponse === 'function') {
    Object.defineProperty(apiPromise, 'asResponse', {
      configurable: true,
      writable: true,
      value: function asResponseObserved(this: APIPromiseLike) {
        const endWithoutUsage = () => call.end();
        const parseBegun = this.parsedPromise !== undefined;
        const response = asResponse.call(this);
        if (!parseBegun) response.then(endWithoutUsage, endWithoutUsage);
        return response;
      },
    });
  }
}

function observeEvents(stream: StreamLike, call: GenAICall, record: MessageRecorder): void {
  const streamed = new StreamedMessage(call.captureContent);
  const signal = stream.controller?.signal;
  const finish = () => {
    const message = streamed.snapshot();
    if (message) record(message);
  };
  observeStream(stream, {
    signal,
    onChunk(event: AnthropicStreamEvent) {
      if (streamed.add(event)) call.firstChunk();
    },
    onDone() {
      finish();
      call.end();
    },
    onAbandon() {
      // The application stopped reading: what the stream reported so far prices a
      // lower bound (`estimated` / `partial_stream`); likewise when it broke or was aborted.
      finish();
      call.markPartial();
      call.end();
    },
    onError(error: unknown) {
      finish();
      call.markPartial();
      // An abort ends the iteration quietly in the SDK; name it as the SDK does for a plain request.
      // (The signal alone does not tell: the SDK also aborts it when the stream breaks.)
      call.fail(isAbortError(error) ? new APIUserAbortError() : error);
    },
  });
}

function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error && (error.name === 'AbortError' || error.constructor.name === 'APIUserAbortError')
  );
}

/** Response attributes, the token ledger and (opt-in) the output content of one Message. */
function recordMessage(call: GenAICall, message: AnthropicMessage, provider: string): void {
  call.setResponse({
    responseModel: servedModel(message, provider),
    responseId: typeof message.id === 'string' ? message.id : undefined,
    finishReasons: typeof message.stop_reason === 'string' ? [message.stop_reason] : undefined,
    // The tier that served it (`standard`, `priority`, `batch`), priced by the service-tier rules.
    serviceTier: typeof message.usage?.service_tier === 'string' ? message.usage.service_tier : undefined,
  });
  call.setUsage(usageFromAnthropic(message.usage));
  if (call.captureContent) call.recordContent({ outputMessages: outputMessages(message) });
}

/**
 * The model the response says served it, which is what gets priced. Except on
 * Bedrock: there the Message names the bare model (`claude-haiku-4-5-...`) while
 * the price depends on the inference profile the request named
 * (`global.anthropic...` vs regional ones), so the request model is kept.
 */
function servedModel(message: AnthropicMessage, provider: string): string | undefined {
  if (provider === GEN_AI_PROVIDER.AWS_BEDROCK) return undefined;
  return typeof message.model === 'string' ? message.model : undefined;
}
