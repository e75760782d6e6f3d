import {
  type GenAICall,
  type GenAICallInfo,
  type GenAIContent,
  GenAIInstrumentationBase,
  observeCompletionStream,
  runCall,
  runSafely,
} from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type {
  CohereInstrumentationConfig,
  V1ChatRequest,
  V1ChatResponse,
  V2ChatRequest,
  V2ChatResponse,
  V2ClientLike,
  V2EmbedRequest,
  V2EmbedResponse,
  WithRawResponse,
} from './types.js';
import {
  chatCallInfo,
  embedCallInfo,
  inputMessages,
  isAwsClient,
  recordChat,
  recordEmbed,
  recordV1Chat,
  StreamedChat,
  StreamedV1Chat,
  v1InputMessages,
} from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

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
  private startCohereCall(
    client: V2ClientLike,
    describe: () => GenAICallInfo,
    inputContent?: () => GenAIContent,
  ): GenAICall | undefined {
    // The Bedrock and SageMaker clients reuse this one, with AWS pricing: not ours to record.
    if (isAwsClient(client)) return undefined;
    return this.startCall(describe, inputContent);
  }

  private patchedChat(original: AnyFunction, stream: boolean): AnyFunction {
    const instrumentation = this;
    return function chat(this: V2ClientLike, ...args: unknown[]) {
      const request = args[0] as V2ChatRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCohereCall(
        this,
        () => chatCallInfo(this, request, stream),
        () => ({ inputMessages: inputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => original.apply(this, args),
        (result: WithRawResponse<unknown> | undefined) => {
          if (stream) return observeCompletionStream(call, result?.data, new StreamedChat(call));
          recordChat(call, result?.data as V2ChatResponse);
          return false;
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
      const call = instrumentation.startCohereCall(
        this,
        () => chatCallInfo(this, request, stream),
        () => ({ inputMessages: v1InputMessages(request) }),
      );
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => original.apply(this, args),
        (result: WithRawResponse<unknown> | undefined) => {
          if (stream) return observeCompletionStream(call, result?.data, new StreamedV1Chat(call));
          recordV1Chat(call, result?.data as V1ChatResponse);
          return false;
        },
      );
    };
  }

  private patchedEmbed(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function embed(this: V2ClientLike, ...args: unknown[]) {
      const request = args[0] as V2EmbedRequest | undefined;
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      const call = instrumentation.startCohereCall(this, () => embedCallInfo(this, request));
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => original.apply(this, args),
        (result: WithRawResponse<V2EmbedResponse> | undefined) => recordEmbed(call, result?.data),
      );
    };
  }
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
