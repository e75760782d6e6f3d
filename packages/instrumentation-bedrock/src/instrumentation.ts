import {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  abortError,
  type CompletionStreamReader,
  type GenAICall,
  GenAIInstrumentationBase,
  type HeadersLike,
  isThenable,
  observeCompletionStream,
  readResponse,
  runSafely,
  usageFromBedrockHeaders,
  usageFromBedrockInvokeModel,
} from '@aicost/core';
import { type Context, context, createContextKey } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import {
  converseFinishReasons,
  converseInputMessages,
  converseOutputMessages,
  converseSystemInstructions,
  converseUsage,
  StreamedConverse,
  servedTier,
} from './converse.js';
import {
  invokeInputMessages,
  invokeOutputMessages,
  invokeResponseDetails,
  invokeSystemInstructions,
  parseJSONBytes,
  StreamedInvocation,
} from './invoke-model.js';
import type {
  BedrockClientLike,
  BedrockInstrumentationConfig,
  BedrockOperation,
  CommandLike,
  ConverseInput,
  ConverseOutput,
  ConverseStreamEvent,
  InvokeModelInput,
  InvokeModelOutput,
  MiddlewareHandler,
  ResponseStreamEvent,
  SendOptions,
} from './types.js';
import {
  type CommandClasses,
  callInfo,
  commandClassesOf,
  modelIdFromArn,
  operationOf,
  serverFromRequest,
} from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** Versions of `@aws-sdk/client-bedrock-runtime` whose `send()` this instrumentation knows (all of v3). */
export const SUPPORTED_VERSIONS = ['>=3.0.0 <4'];

/** Name of the middleware that reads the HTTP exchange (token-count headers, resolved host). */
export const MIDDLEWARE_NAME = 'aicostBedrockTelemetryMiddleware';
/** Name of the outermost middleware that sees each call's final outcome (after the SDK's retries). */
export const OUTCOME_MIDDLEWARE_NAME = 'aicostBedrockOutcomeMiddleware';

type AnyFunction = (...args: any[]) => any;

interface BedrockModuleLike {
  BedrockRuntimeClient?: { prototype: object };
  [name: string]: unknown;
}

/**
 * OpenTelemetry GenAI instrumentation with cost for `@aws-sdk/client-bedrock-runtime`:
 * one CLIENT span `{operation} {modelId}` per Converse, ConverseStream,
 * InvokeModel and InvokeModelWithResponseStream call, priced from the token
 * ledger, with GenAI metrics. Every other command passes through untouched.
 */
export class BedrockInstrumentation extends GenAIInstrumentationBase<BedrockInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of @aws-sdk/client-bedrock-runtime';
  // `declare` and lazy: the base constructor may patch an already-loaded module before fields exist.
  declare private knownCommandClasses: CommandClasses | undefined;

  constructor(config: BedrockInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return this.sdkModuleDefinition('@aws-sdk/client-bedrock-runtime', SUPPORTED_VERSIONS);
  }

  private get commandClasses(): CommandClasses {
    this.knownCommandClasses ??= new WeakMap();
    return this.knownCommandClasses;
  }

  // -------------------------------------------------------------------------
  // Patching
  // -------------------------------------------------------------------------

  protected patchModule(moduleExports: unknown): boolean {
    const exports = moduleExports as BedrockModuleLike | undefined;
    const prototype = exports?.BedrockRuntimeClient?.prototype as Record<string, AnyFunction> | undefined;
    if (!prototype || typeof prototype.send !== 'function') return false;
    commandClassesOf(exports!, this.commandClasses);
    // Only our own wrapper on this prototype counts: the inherited `send` may be another
    // instrumentation's, so an own forwarding `send` is what gets wrapped (once).
    if (!Object.hasOwn(prototype, 'send')) defineForwardingSend(prototype);
    this.wrapOnce(prototype, 'send', (original) => this.patchedSend(original));
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const prototype = (moduleExports as BedrockModuleLike | undefined)?.BedrockRuntimeClient?.prototype as
      | Record<string, AnyFunction>
      | undefined;
    if (prototype && Object.hasOwn(prototype, 'send') && isWrapped(prototype.send)) {
      this._unwrap(prototype, 'send');
      // Back to plain inheritance.
      if ((prototype.send as { [FORWARDING_SEND]?: boolean })[FORWARDING_SEND]) delete prototype.send;
    }
  }

  private patchedSend(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function send(this: BedrockClientLike, ...args: unknown[]) {
      const command = args[0] as CommandLike | undefined;
      const operation = instrumentation.isActive()
        ? runSafely('reading a Bedrock command', () => operationOf(command, instrumentation.commandClasses))
        : undefined;
      if (!operation) return original.apply(this, args);

      const exchange = runSafely('starting a Bedrock span', () =>
        instrumentation.startExchange(this, operation, command?.input),
      );
      if (!exchange) return original.apply(this, args);
      const { call } = exchange;

      const [optionsOrCallback, maybeCallback] = args.slice(1);
      const callback =
        typeof optionsOrCallback === 'function'
          ? (optionsOrCallback as AnyFunction)
          : typeof maybeCallback === 'function'
            ? (maybeCallback as AnyFunction)
            : undefined;
      const options =
        typeof optionsOrCallback === 'object' && optionsOrCallback !== null
          ? (optionsOrCallback as SendOptions)
          : undefined;
      // The span exists: an options object whose getter throws must not leave it open.
      exchange.signal = runSafely('reading Bedrock send options', () => options?.abortSignal);

      let sendArgs = args;
      if (callback) {
        const observedCallback = function (this: unknown, error: unknown, output: unknown) {
          exchange.settle(error, output); // already done if the outcome middleware saw it
          return callback.apply(this, [error, output]);
        };
        sendArgs =
          typeof optionsOrCallback === 'function'
            ? [command, observedCallback]
            : [command, optionsOrCallback, observedCallback];
      }

      let result: unknown;
      try {
        result = context.with(exchange.context, () => original.apply(this, sendArgs));
      } catch (error) {
        call.fail(error);
        throw error;
      }
      // The outcome middleware, called synchronously by send(), settles the call from
      // inside the SDK's own chain: the application gets the SDK's promise itself,
      // with no extra tick and its rejection left for the application to handle.
      if (callback || exchange.observedInside) return result;
      if (!isThenable(result)) {
        call.end();
        return result;
      }
      // No middleware stack to observe from: a derived promise, one microtask later,
      // rejecting the same way (so an unhandled rejection stays unhandled).
      return result.then(
        (output) => {
          exchange.settle(undefined, output);
          return output;
        },
        (error: unknown) => {
          exchange.settle(error, undefined);
          throw error;
        },
      );
    };
  }

  /** Starts the span of one call and returns what is needed to finish it. */
  private startExchange(client: BedrockClientLike, operation: BedrockOperation, input: unknown): Exchange {
    const invokeBody = isInvoke(operation) ? parseJSONBytes((input as InvokeModelInput)?.body) : undefined;
    const info = callInfo(client, operation, input, invokeBody);
    const call = this.recorder().start(info);
    // From here on the span exists: nothing below may keep it from ending.
    if (call.captureContent) {
      runSafely('recording Bedrock request content', () =>
        recordInputContent(call, operation, input, invokeBody),
      );
    }
    runSafely('adding the Bedrock middleware', () => ensureMiddleware(client));
    return new Exchange(call, operation, info.requestModel, info.serverAddress !== undefined);
  }
}

const FORWARDING_SEND = Symbol('aicost.bedrock.forwardingSend');

/**
 * `BedrockRuntimeClient` inherits `send` from smithy's `Client`, whose
 * prototype OpenTelemetry's AWS SDK instrumentation wraps. Wrapping the
 * inherited function in place would make the wrap helper first "unwrap" it,
 * which restores the parent's original and silently removes the other
 * instrumentation. So the client's prototype gets an own `send` that forwards
 * to whatever the parent's `send` is at each call (wrapped or not, before or
 * after us), and that own function is what we wrap.
 */
function defineForwardingSend(prototype: Record<string, AnyFunction>): void {
  const parent = Object.getPrototypeOf(prototype) as Record<string, AnyFunction>;
  const send = function send(this: unknown, ...args: unknown[]) {
    return parent.send!.apply(this, args);
  };
  Object.defineProperty(send, FORWARDING_SEND, { value: true });
  Object.defineProperty(prototype, 'send', { configurable: true, writable: true, value: send });
}

function isInvoke(operation: BedrockOperation): boolean {
  return operation === 'InvokeModel' || operation === 'InvokeModelWithResponseStream';
}

function recordInputContent(
  call: GenAICall,
  operation: BedrockOperation,
  input: unknown,
  invokeBody: Record<string, unknown> | undefined,
): void {
  if (isInvoke(operation)) {
    call.recordContent({
      inputMessages: invokeInputMessages(invokeBody),
      systemInstructions: invokeSystemInstructions(invokeBody),
    });
  } else {
    call.recordContent({
      inputMessages: converseInputMessages(input as ConverseInput),
      systemInstructions: converseSystemInstructions(input as ConverseInput),
    });
  }
}

// ---------------------------------------------------------------------------
// The HTTP exchange, seen from a middleware. The modelled InvokeModel output
// drops the token-count headers, and a region or endpoint given as a provider
// function is only known once the request is built; a middleware on the
// client's stack sees both. It finds its call through the context the patched
// `send()` runs in, so concurrent calls never mix.
// ---------------------------------------------------------------------------

const EXCHANGE_KEY = createContextKey('aicost bedrock exchange');
const clientsWithMiddleware = new WeakSet<object>();

function ensureMiddleware(client: BedrockClientLike): void {
  const stack = client?.middlewareStack;
  if (!stack || typeof stack.add !== 'function' || clientsWithMiddleware.has(client)) return;
  // Outermost (initialize, high): its promise settles once the SDK's retries are over,
  // with the output the application receives. Observed on the side: the SDK awaits it.
  stack.add(
    (next: MiddlewareHandler) => (handlerArgs) => {
      const exchange = context.active().getValue(EXCHANGE_KEY) as Exchange | undefined;
      if (!exchange || exchange.observedInside) return next(handlerArgs);
      exchange.observedInside = true;
      let pending: ReturnType<MiddlewareHandler>;
      try {
        pending = next(handlerArgs);
      } catch (error) {
        exchange.settle(error, undefined);
        throw error;
      }
      pending.then(
        (result) => exchange.settle(undefined, result?.output),
        (error: unknown) => exchange.settle(error, undefined),
      );
      return pending;
    },
    { step: 'initialize', priority: 'high', name: OUTCOME_MIDDLEWARE_NAME, override: true, tags: ['AICOST'] },
  );
  stack.add(
    (next: MiddlewareHandler) => (handlerArgs) => {
      const exchange = context.active().getValue(EXCHANGE_KEY) as Exchange | undefined;
      if (!exchange) return next(handlerArgs);
      runSafely('reading a Bedrock request', () => exchange.sawRequest(handlerArgs?.request));
      return next(handlerArgs).then((result) => {
        runSafely('reading a Bedrock response', () => exchange.sawResponse(result?.response));
        return result;
      });
    },
    { step: 'deserialize', name: MIDDLEWARE_NAME, override: true, tags: ['AICOST'] },
  );
  clientsWithMiddleware.add(client);
}

// ---------------------------------------------------------------------------
// Observing one call
// ---------------------------------------------------------------------------

class Exchange {
  readonly context: Context;
  /** The request's abort signal (`send(command, { abortSignal })`). */
  signal: AbortSignal | undefined;
  /** The outcome middleware runs for this call: it settles it. */
  observedInside = false;
  private settled = false;
  private headers: HeadersLike | undefined;
  /** The model id the price catalogue knows: ARNs name it in their last segment. */
  private readonly modelId: string;

  constructor(
    readonly call: GenAICall,
    private readonly operation: BedrockOperation,
    private readonly requestModel: string | undefined,
    private serverKnown: boolean,
  ) {
    this.context = call.context.setValue(EXCHANGE_KEY, this);
    this.modelId = modelIdFromArn(requestModel ?? '');
  }

  sawRequest(request: unknown): void {
    if (this.serverKnown) return;
    const { serverAddress, serverPort } = serverFromRequest(request);
    if (!serverAddress) return;
    this.serverKnown = true;
    this.call.setAttributes({ [ATTR_SERVER_ADDRESS]: serverAddress, [ATTR_SERVER_PORT]: serverPort });
  }

  sawResponse(response: unknown): void {
    const headers = (response as { headers?: unknown })?.headers;
    if (headers && typeof headers === 'object') this.headers = headers as HeadersLike;
  }

  /** The call's final outcome, once (the SDK's retries are over): the error the application gets, or its output. */
  settle(error: unknown, output: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (error) this.call.fail(error);
    // Whatever part of the response cannot be read, the span still ends (unpriced if no usage was set).
    else readResponse(this.call, output, (value) => this.read(value));
  }

  /** The SDK's output: finished calls are recorded now; a stream takes the call over (true). */
  private read(output: unknown): boolean {
    this.setServedModel();
    switch (this.operation) {
      case 'Converse':
        this.recordConverse(output as ConverseOutput);
        return false;
      case 'InvokeModel':
        this.recordInvokeModel(output as InvokeModelOutput);
        return false;
      case 'ConverseStream':
        return this.observeConverseStream((output as ConverseOutput)?.stream, this.signal);
      case 'InvokeModelWithResponseStream':
        return this.observeInvokeStream((output as InvokeModelOutput)?.body, this.signal);
    }
    return false;
  }

  /**
   * An ARN is priced by the model or inference profile it names: recorded as
   * the response model, which is what the recorder prices. Bodies that name a
   * model (Anthropic's `claude-...`) are ignored on purpose: the price depends
   * on the inference profile of the request (regional vs global), which they omit.
   */
  private setServedModel(): void {
    if (this.requestModel && this.modelId !== this.requestModel) {
      this.call.setResponse({ responseModel: this.modelId });
    }
  }

  private recordConverse(output: ConverseOutput): void {
    const call = this.call;
    call.setResponse({
      finishReasons: converseFinishReasons(output?.stopReason),
      serviceTier: servedTier(output?.serviceTier?.type),
    });
    call.setUsage(converseUsage(output));
    if (call.captureContent) {
      call.recordContent({
        outputMessages: converseOutputMessages(output?.output?.message, output?.stopReason),
      });
    }
  }

  private recordInvokeModel(output: InvokeModelOutput): void {
    const call = this.call;
    const body = parseJSONBytes(output?.body);
    call.setUsage(usageFromBedrockInvokeModel(this.modelId, body, this.headers));
    call.setResponse({ serviceTier: servedTier(output?.serviceTier) });
    if (!body) return;
    const details = invokeResponseDetails(this.modelId, body);
    call.setResponse({ responseId: details.responseId, finishReasons: details.finishReasons });
    if (call.captureContent) {
      call.recordContent({ outputMessages: invokeOutputMessages(details.texts, details.finishReasons) });
    }
  }

  private observeConverseStream(stream: unknown, signal: AbortSignal | undefined): boolean {
    const call = this.call;
    const streamed = new StreamedConverse(call.captureContent);
    const finish = () => {
      call.setResponse({
        finishReasons: converseFinishReasons(streamed.stopReason),
        serviceTier: streamed.serviceTier,
      });
      call.setUsage(converseUsage({ usage: streamed.usage }));
      if (call.captureContent) {
        call.recordContent({
          outputMessages: converseOutputMessages(streamed.message(), streamed.stopReason),
        });
      }
    };
    return this.observeEvents(stream, signal, {
      add: (event: ConverseStreamEvent) => streamed.add(event),
      finish,
    });
  }

  private observeInvokeStream(body: unknown, signal: AbortSignal | undefined): boolean {
    const call = this.call;
    const streamed = new StreamedInvocation(this.modelId, call.captureContent);
    const finish = () => {
      call.setResponse({ responseId: streamed.responseId, finishReasons: streamed.finishReasons });
      call.setUsage(streamed.usage() ?? usageFromBedrockHeaders(this.headers));
      if (call.captureContent) {
        call.recordContent({
          outputMessages: invokeOutputMessages(streamed.text ? [streamed.text] : [], streamed.finishReasons),
        });
      }
    };
    return this.observeEvents(body, signal, {
      add: (event: ResponseStreamEvent) => streamed.add(parseJSONBytes(event?.chunk?.bytes)),
      finish,
    });
  }

  /**
   * Follows a stream in place: the application iterates the very object the
   * SDK returned. The span ends when the stream ends, fails, is aborted or
   * abandoned (`break`), billing whatever usage the stream reported by then.
   */
  private observeEvents<E>(
    stream: unknown,
    signal: AbortSignal | undefined,
    reader: CompletionStreamReader<E>,
  ): boolean {
    // An abort surfaces as whatever broke (a reset socket): name it as an abort.
    return observeCompletionStream(this.call, stream, reader, {
      signal,
      errorOf: (error) => (signal?.aborted ? abortError(signal) : error),
    });
  }
}
