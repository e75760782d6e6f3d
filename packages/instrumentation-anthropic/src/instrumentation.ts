import {
  createGenAIRecorder,
  type GenAICall,
  GenAIMetrics,
  type GenAIRecorder,
  logOnce,
  observeStream,
  resolveCaptureContent,
  runSafely,
  usageFromAnthropic,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
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

type AnyFunction = (...args: any[]) => any;

/** The parts of the SDK module we patch: `Anthropic.Messages` and `Anthropic.Beta.Messages`. */
interface AnthropicModuleLike {
  Anthropic?: AnthropicClassLike;
  default?: AnthropicClassLike;
  Messages?: { prototype: object };
  Beta?: { Messages?: { prototype: object } };
  APIUserAbortError?: new () => Error;
}
interface AnthropicClassLike {
  Messages?: { prototype: object };
  Beta?: { Messages?: { prototype: object } };
  APIUserAbortError?: new () => Error;
}

/**
 * OpenTelemetry GenAI instrumentation with cost for `@anthropic-ai/sdk`: one
 * CLIENT span `chat {model}` per `messages.create()` / `messages.stream()`
 * (stable and beta), priced from the token ledger, with GenAI metrics.
 */
export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  private cachedRecorder: GenAIRecorder | undefined;

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return SUPPORTED_VERSIONS.map(
      (range) =>
        new InstrumentationNodeModuleDefinition(
          '@anthropic-ai/sdk',
          [range],
          (moduleExports: AnthropicModuleLike) => {
            this.patch(moduleExports);
            return moduleExports;
          },
          (moduleExports: AnthropicModuleLike) => this.unpatch(moduleExports),
        ),
    );
  }

  /**
   * Patches an already-loaded SDK module, for bundled applications where the
   * `require`/`import` hooks never see `@anthropic-ai/sdk`. Pass the module
   * namespace (`import * as sdk from '@anthropic-ai/sdk'`) or the `Anthropic` class.
   */
  manuallyInstrument(moduleExports: unknown): void {
    this.patch(moduleExports as AnthropicModuleLike);
  }

  override setTracerProvider(...args: Parameters<InstrumentationBase['setTracerProvider']>): void {
    super.setTracerProvider(...args);
    this.cachedRecorder = undefined;
  }

  override setConfig(config: AnthropicInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.cachedRecorder = undefined;
  }

  /** Called by the base class whenever the meter changes. */
  protected override _updateMetricInstruments(): void {
    this.cachedRecorder = undefined;
  }

  private recorder(): GenAIRecorder {
    this.cachedRecorder ??= createGenAIRecorder({
      tracer: this.tracer,
      metrics: new GenAIMetrics(this.meter),
      instrumentationName: PACKAGE_NAME,
      captureContent: resolveCaptureContent(this.getConfig().captureMessageContent),
    });
    return this.cachedRecorder;
  }

  // -------------------------------------------------------------------------
  // Patching
  // -------------------------------------------------------------------------

  private messagesPrototypes(moduleExports: AnthropicModuleLike): object[] {
    const sdk = moduleExports.Anthropic ?? moduleExports.default ?? (moduleExports as AnthropicClassLike);
    return [sdk?.Messages?.prototype, sdk?.Beta?.Messages?.prototype].filter(
      (proto): proto is object => typeof proto === 'object' && proto !== null,
    );
  }

  private patch(moduleExports: AnthropicModuleLike): void {
    const sdk = moduleExports.Anthropic ?? moduleExports.default ?? (moduleExports as AnthropicClassLike);
    const AbortErrorClass = moduleExports.APIUserAbortError ?? sdk?.APIUserAbortError;
    for (const proto of this.messagesPrototypes(moduleExports)) {
      const methods = proto as Record<string, AnyFunction>;
      // Another instance (or the hooks after a manual patch) got here first: one span per call.
      if (typeof methods.create === 'function' && !isWrapped(methods.create)) {
        this._wrap(methods, 'create', (original) => this.patchedCreate(original, AbortErrorClass) as any);
      }
      if (typeof methods.stream === 'function' && !isWrapped(methods.stream)) {
        this._wrap(methods, 'stream', (original) => this.patchedStream(original) as any);
      }
    }
  }

  private unpatch(moduleExports: AnthropicModuleLike): void {
    for (const proto of this.messagesPrototypes(moduleExports)) {
      const methods = proto as Record<string, AnyFunction>;
      if (isWrapped(methods.create)) this._unwrap(methods, 'create');
      if (isWrapped(methods.stream)) this._unwrap(methods, 'stream');
    }
  }

  /** `messages.create()`: every Messages call goes through it, including `stream()` and `parse()`. */
  private patchedCreate(original: AnyFunction, AbortErrorClass: (new () => Error) | undefined): AnyFunction {
    const instrumentation = this;
    return function create(this: MessagesResourceLike, ...args: unknown[]) {
      const params = args[0] as MessageCreateParams | undefined;
      if (!instrumentation.isEnabled() || typeof params !== 'object' || params === null) {
        return original.apply(this, args);
      }
      const client = this?._client;
      const call = runSafely('starting an Anthropic span', () => {
        const started = instrumentation.recorder().start(callInfo(client, params));
        if (started.captureContent) {
          started.recordContent({
            inputMessages: inputMessages(params),
            systemInstructions: systemInstructions(params),
          });
        }
        return started;
      });
      if (!call) return original.apply(this, args);

      let apiPromise: APIPromiseLike;
      try {
        apiPromise = context.with(call.context, () =>
          withSdkSpansSilenced(client, () => original.apply(this, args)),
        );
      } catch (error) {
        call.fail(error);
        throw error;
      }
      runSafely('observing an Anthropic response', () =>
        params.stream === true
          ? observeStreamedResponse(apiPromise, call, AbortErrorClass)
          : observeMessageResponse(apiPromise, call),
      );
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
      if (!instrumentation.isEnabled()) return original.apply(this, args);
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

/**
 * A plain Message: read from a clone of the response, so the span ends (and is
 * priced) whether the application awaits the Message, takes `asResponse()` and
 * reads the body itself, or never looks at the result at all.
 */
function observeMessageResponse(apiPromise: APIPromiseLike, call: GenAICall): void {
  const responseProps = responsePropsOf(apiPromise);
  if (!responseProps) {
    call.end();
    return;
  }
  responseProps
    .then(
      (props) => {
        // Cloned in the first reaction to the response, before the SDK reads the body.
        const body = runSafely('cloning an Anthropic response', () => props.response.clone().text());
        if (!body) {
          call.end(); // unreadable here: the call stays unpriced rather than guessed
          return;
        }
        return body.then(
          (text) => {
            let message: AnthropicMessage;
            try {
              message = JSON.parse(text) as AnthropicMessage;
            } catch (error) {
              // The application's own parse of this body fails the same way.
              call.fail(error);
              return;
            }
            recordMessage(call, message);
            call.end();
          },
          (error: unknown) => call.fail(error),
        );
      },
      // Retries are over: this is the error the application gets, unchanged.
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
  AbortErrorClass: (new () => Error) | undefined,
): void {
  responsePropsOf(apiPromise)?.then(undefined, (error: unknown) => call.fail(error));

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
    runSafely('observing an Anthropic stream', () =>
      observeEvents(data as StreamLike, call, AbortErrorClass),
    );
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
        const parseBegun = this.parsedPromise !== undefined;
        const response = asResponse.call(this);
        if (!parseBegun)
          response.then(
            () => call.end(),
            () => undefined,
          );
        return response;
      },
    });
  }
}

function observeEvents(
  stream: StreamLike,
  call: GenAICall,
  AbortErrorClass: (new () => Error) | undefined,
): void {
  const streamed = new StreamedMessage(call.captureContent);
  const signal = stream.controller?.signal;
  const finish = () => {
    const message = streamed.snapshot();
    if (message) recordMessage(call, message);
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
      // The application stopped reading: bill what the stream reported so far.
      finish();
      call.end();
    },
    onError(error: unknown) {
      finish();
      // An abort ends the iteration quietly in the SDK; name it as the SDK does for a plain request.
      call.fail(signal?.aborted && AbortErrorClass ? new AbortErrorClass() : error);
    },
  });
}

/** Response attributes, the token ledger and (opt-in) the output content of one Message. */
function recordMessage(call: GenAICall, message: AnthropicMessage): void {
  call.setResponse({
    responseModel: typeof message.model === 'string' ? message.model : undefined,
    responseId: typeof message.id === 'string' ? message.id : undefined,
    finishReasons: typeof message.stop_reason === 'string' ? [message.stop_reason] : undefined,
  });
  call.setUsage(usageFromAnthropic(message.usage));
  if (call.captureContent) call.recordContent({ outputMessages: outputMessages(message) });
}
