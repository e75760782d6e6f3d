import {
  GEN_AI_OPERATION,
  GenAIInstrumentationBase,
  observeCompletionStream,
  runCall,
  runSafely,
} from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type {
  ChatCompletionResponse,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  MistralInstrumentationConfig,
  MistralResourceLike,
} from './types.js';
import {
  completionCallInfo,
  embeddingsCallInfo,
  inputMessages,
  recordCompletion,
  recordEmbeddings,
  runAsOwnCall,
  StreamedCompletion,
} from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

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

  private patchedCompletion(original: AnyFunction, operation: string, stream: boolean): AnyFunction {
    const instrumentation = this;
    return function completion(this: MistralResourceLike, ...args: unknown[]) {
      const request = args[0] as ChatRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCall(
        () => completionCallInfo(this, request, operation, stream),
        () => ({ inputMessages: inputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => runAsOwnCall(this, () => original.apply(this, args)),
        stream
          ? // The `EventStream` the application reads is a `ReadableStream`: `getReader()` is followed too.
            (result: unknown) =>
              observeCompletionStream(call, result, new StreamedCompletion(call), { readers: true })
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
      return runCall(
        call,
        () => runAsOwnCall(this, () => original.apply(this, args)),
        (response: EmbeddingResponse) => recordEmbeddings(call, response),
      );
    };
  }
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
