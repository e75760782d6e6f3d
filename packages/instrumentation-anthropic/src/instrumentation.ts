import {
  GEN_AI_PROVIDER,
  type GenAICall,
  GenAIInstrumentationBase,
  observeAPIPromise,
  observeCompletionStream,
  runInCall,
  runSafely,
  usageFromAnthropic,
} from '@aicost/core';
import { InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import type {
  AnthropicInstrumentationConfig,
  AnthropicMessage,
  AnthropicStreamEvent,
  MessageCreateParams,
  MessagesResourceLike,
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
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

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
    this.wrapOnce(methods, 'create', (original) => this.patchedCreate(original));
    this.wrapOnce(methods, 'stream', (original) => this.patchedStream(original));
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
      if (typeof params !== 'object' || params === null) return original.apply(this, args);
      const client = this?._client;
      let provider = '';
      let stream = false;
      // The request is read here only, inside startCall: a getter that throws is logged, not thrown.
      const call = instrumentation.startCall(
        () => {
          const info = callInfo(client, params);
          provider = info.provider;
          stream = info.stream === true;
          return info;
        },
        () => ({ inputMessages: inputMessages(params), systemInstructions: systemInstructions(params) }),
      );
      if (!call) return original.apply(this, args);
      const apiPromise = runInCall(call, () =>
        withSdkSpansSilenced(client, () => original.apply(this, args)),
      );
      const observed = runSafely('observing an Anthropic response', () =>
        observeAPIPromise(apiPromise, call, {
          stream,
          read: stream
            ? (events) => observeEvents(events as StreamLike, call, provider)
            : (message) => recordMessage(call, message as AnthropicMessage, provider),
        }),
      );
      if (!observed) call.end(); // nothing to observe it by: unpriced rather than left open
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

/**
 * A streamed Message: the very `Stream` the application gets is followed in
 * place (its identity, `tee()`, `toReadableStream()` and `controller` stay).
 */
function observeEvents(stream: StreamLike, call: GenAICall, provider: string): boolean {
  const streamed = new StreamedMessage(call.captureContent);
  return observeCompletionStream(
    call,
    stream,
    {
      add: (event: AnthropicStreamEvent) => streamed.add(event),
      finish() {
        const message = streamed.snapshot();
        if (message) recordMessage(call, message, provider);
      },
    },
    {
      signal: stream?.controller?.signal,
      // An abort ends the iteration quietly in the SDK; name it as the SDK does for a plain request.
      // (The signal alone does not tell: the SDK also aborts it when the stream breaks.)
      errorOf: (error) => (isAbortError(error) ? new APIUserAbortError() : error),
    },
  );
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
