import {
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  type GenAIContent,
  GenAIInstrumentationBase,
  observeCompletionStream,
  observeSettlement,
  observeStream,
  runCall,
  runSafely,
  serverFromBaseURL,
} from '@aicost/core';
import { diag } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';

import type {
  GeminiContent,
  GeminiEmbedContentResponse,
  GeminiGenerateContentResponse,
  GenAIApiClient,
  GenAIGenerateContentConfig,
  GoogleGenAIInstrumentationConfig,
  LegacyGenerationConfig,
} from './types.js';
import {
  embeddingUsage,
  generateContentUsage,
  generationRequestAttributes,
  inputMessages,
  modelId,
  outputMessages,
  providerOf,
  responseInfo,
  StreamAccumulator,
  systemInstructionParts,
} from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const GENAI_MODULE = '@google/genai';
const LEGACY_MODULE = '@google/generative-ai';

/** Versions of each SDK whose code paths this instrumentation knows: `@google/genai` 1.x to 3.x, `@google/generative-ai` 0.x. */
export const SUPPORTED_VERSIONS: Readonly<Record<string, string[]>> = {
  [GENAI_MODULE]: ['>=1.0.0 <4'],
  [LEGACY_MODULE]: ['>=0.1.0 <1'],
};
/** `@google/generative-ai` always talks to the Gemini Developer API, here unless `requestOptions.baseUrl` says otherwise. */
const LEGACY_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

type AnyFunction = (this: any, ...args: any[]) => any;

/** `this` of `@google/genai`'s `Models` methods. */
interface GenAIModels {
  apiClient?: GenAIApiClient;
}

/** The params `Models.*Internal` receive (after the SDK's own pre-processing). */
interface GenAIParams {
  model?: string;
  contents?: unknown;
  config?: GenAIGenerateContentConfig & { abortSignal?: AbortSignal };
}

/** `this` of `@google/generative-ai`'s `GenerativeModel`. */
interface LegacyModel {
  model?: string;
  generationConfig?: LegacyGenerationConfig;
  systemInstruction?: unknown;
  _requestOptions?: { baseUrl?: string };
}

/** `this` of `@google/generative-ai`'s `ChatSession`. */
interface LegacyChat {
  model?: string;
  params?: { generationConfig?: LegacyGenerationConfig; systemInstruction?: unknown };
  _requestOptions?: { baseUrl?: string };
  _history?: GeminiContent[];
}

interface LegacyRequestOptions {
  baseUrl?: string;
  signal?: AbortSignal;
}

/** What `GenerativeModel.generateContentStream` and `ChatSession.sendMessageStream` resolve to. */
interface LegacyStreamResult {
  stream: AsyncGenerator<GeminiGenerateContentResponse>;
  response: Promise<GeminiGenerateContentResponse>;
}

/**
 * OpenTelemetry instrumentation with cost for Google's Gemini SDKs:
 * `@google/genai` (1.x to 3.x, Gemini Developer API and Vertex AI) and the
 * deprecated `@google/generative-ai` (0.x).
 *
 * In `@google/genai` the public methods (`ai.models.generateContent`, ...) are
 * per-instance arrow functions, so they cannot be patched on a prototype; the
 * patch sits one level down, on `Models.prototype.generateContentInternal`,
 * `generateContentStreamInternal` and `embedContentInternal`. Each of those is
 * exactly one HTTP request, hence one billed model call: chats, automatic
 * function calling and automatic continuation, which loop over them, get one
 * span per model call and never a span inside a span.
 */
export class GoogleGenAIInstrumentation extends GenAIInstrumentationBase<GoogleGenAIInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of @google/genai or @google/generative-ai';

  constructor(config: GoogleGenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return [
      this.sdkModuleDefinition(GENAI_MODULE, SUPPORTED_VERSIONS[GENAI_MODULE]!),
      this.sdkModuleDefinition(LEGACY_MODULE, SUPPORTED_VERSIONS[LEGACY_MODULE]!),
    ];
  }

  /** The exports of `@google/genai` or of `@google/generative-ai` (see {@link manuallyInstrument}). */
  protected patchModule(moduleExports: unknown): boolean {
    const exports = moduleExports as Record<string, any> | undefined;
    if (exports?.Models?.prototype) this.patchGenAI(exports);
    else if (exports?.GenerativeModel?.prototype) this.patchLegacy(exports);
    else return false;
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    this.unpatchGenAI(moduleExports);
    this.unpatchLegacy(moduleExports);
  }

  // -------------------------------------------------------------------------
  // @google/genai
  // -------------------------------------------------------------------------

  private patchGenAI(exports: any): void {
    const proto = exports?.Models?.prototype;
    if (!proto) {
      diag.debug(`aicost: ${GENAI_MODULE} has no Models class; not instrumented`);
      return;
    }
    this.wrapOnce(proto, 'generateContentInternal', (original) => this.genAIGenerateContent(original));
    this.wrapOnce(proto, 'generateContentStreamInternal', (original) =>
      this.genAIGenerateContentStream(original),
    );
    // 1.0 to 1.x had a prototype `embedContent` doing the request; later versions moved it to `embedContentInternal`.
    const embedMethod =
      typeof proto.embedContentInternal === 'function' ? 'embedContentInternal' : 'embedContent';
    this.wrapOnce(proto, embedMethod, (original) =>
      this.genAIEmbedContent(original, embedMethod === 'embedContentInternal'),
    );
  }

  private unpatchGenAI(exports: any): void {
    const proto = exports?.Models?.prototype;
    if (!proto) return;
    for (const name of [
      'generateContentInternal',
      'generateContentStreamInternal',
      'embedContentInternal',
      'embedContent',
    ]) {
      if (isWrapped(proto[name])) this._unwrap(proto, name);
    }
  }

  private genAIInfo(
    models: GenAIModels,
    params: GenAIParams | undefined,
    operation: string,
    stream: boolean,
  ): GenAICallInfo {
    const apiClient = models?.apiClient;
    const info: GenAICallInfo = {
      provider: providerOf(apiClient),
      operation,
      requestModel: modelId(params?.model),
      stream,
      ...serverFromBaseURL(runSafely('reading the base URL', () => apiClient?.getBaseUrl?.())),
    };
    if (operation !== GEN_AI_OPERATION.EMBEDDINGS)
      info.requestAttributes = generationRequestAttributes(params?.config);
    return info;
  }

  private genAIInput(params: GenAIParams | undefined): GenAIContent {
    return {
      inputMessages: inputMessages(params?.contents),
      systemInstructions: systemInstructionParts(params?.config?.systemInstruction),
    };
  }

  private genAIGenerateContent(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function generateContentInternal(this: GenAIModels, params: GenAIParams, ...rest: unknown[]) {
      const call = instrumentation.startCall(
        () => instrumentation.genAIInfo(this, params, GEN_AI_OPERATION.GENERATE_CONTENT, false),
        () => instrumentation.genAIInput(params),
      );
      if (!call) return original.call(this, params, ...rest);
      return runCall(
        call,
        () => original.call(this, params, ...rest),
        (response: GeminiGenerateContentResponse) => finishGenerateContent(call, response),
        { awaitedBySdk: true },
      );
    };
  }

  private genAIGenerateContentStream(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function generateContentStreamInternal(
      this: GenAIModels,
      params: GenAIParams,
      ...rest: unknown[]
    ) {
      const call = instrumentation.startCall(
        () => instrumentation.genAIInfo(this, params, GEN_AI_OPERATION.GENERATE_CONTENT, true),
        () => instrumentation.genAIInput(params),
      );
      if (!call) return original.call(this, params, ...rest);
      return runCall(
        call,
        () => original.call(this, params, ...rest),
        (stream: AsyncGenerator<GeminiGenerateContentResponse>) =>
          observeGeminiStream(call, stream, params?.config?.abortSignal),
        { awaitedBySdk: true },
      );
    };
  }

  private genAIEmbedContent(original: AnyFunction, awaitedBySdk: boolean): AnyFunction {
    const instrumentation = this;
    return function embedContent(this: GenAIModels, params: GenAIParams, ...rest: unknown[]) {
      const call = instrumentation.startCall(() =>
        instrumentation.genAIInfo(this, params, GEN_AI_OPERATION.EMBEDDINGS, false),
      );
      if (!call) return original.call(this, params, ...rest);
      return runCall(
        call,
        () => original.call(this, params, ...rest),
        (response: GeminiEmbedContentResponse) => call.setUsage(embeddingUsage(response)),
        { awaitedBySdk },
      );
    };
  }

  // -------------------------------------------------------------------------
  // @google/generative-ai (deprecated, still widely deployed)
  // -------------------------------------------------------------------------

  private patchLegacy(exports: any): void {
    const modelProto = exports?.GenerativeModel?.prototype;
    const chatProto = exports?.ChatSession?.prototype;
    if (!modelProto) {
      diag.debug(`aicost: ${LEGACY_MODULE} has no GenerativeModel class; not instrumented`);
      return;
    }
    // ChatSession calls the SDK's request functions directly, not GenerativeModel's
    // methods, so patching both classes cannot produce two spans for one call.
    this.wrapOnce(modelProto, 'generateContent', (original) =>
      this.legacyGenerate(original, legacyModelRequest),
    );
    this.wrapOnce(modelProto, 'generateContentStream', (original) =>
      this.legacyGenerateStream(original, legacyModelRequest),
    );
    this.wrapOnce(modelProto, 'embedContent', (original) => this.legacyEmbed(original));
    this.wrapOnce(modelProto, 'batchEmbedContents', (original) => this.legacyEmbed(original));
    if (chatProto) {
      this.wrapOnce(chatProto, 'sendMessage', (original) => this.legacyGenerate(original, legacyChatRequest));
      this.wrapOnce(chatProto, 'sendMessageStream', (original) =>
        this.legacyGenerateStream(original, legacyChatRequest),
      );
    }
  }

  private unpatchLegacy(exports: any): void {
    const targets: Array<[any, string[]]> = [
      [
        exports?.GenerativeModel?.prototype,
        ['generateContent', 'generateContentStream', 'embedContent', 'batchEmbedContents'],
      ],
      [exports?.ChatSession?.prototype, ['sendMessage', 'sendMessageStream']],
    ];
    for (const [proto, names] of targets) {
      if (!proto) continue;
      for (const name of names) if (isWrapped(proto[name])) this._unwrap(proto, name);
    }
  }

  private legacyInfo(
    model: string | undefined,
    generationConfig: LegacyGenerationConfig | undefined,
    baseUrl: string | undefined,
    operation: string,
    stream: boolean,
  ): GenAICallInfo {
    const info: GenAICallInfo = {
      provider: GEN_AI_PROVIDER.GCP_GEMINI,
      operation,
      requestModel: modelId(model),
      stream,
      ...serverFromBaseURL(baseUrl || LEGACY_DEFAULT_BASE_URL),
    };
    if (operation !== GEN_AI_OPERATION.EMBEDDINGS)
      info.requestAttributes = generationRequestAttributes(generationConfig);
    return info;
  }

  /** Starts a legacy call's span; `read` runs only when the instrumentation is active, inside startCall's safety net. */
  private startLegacyCall(read: () => LegacyCallRequest, stream: boolean): GenAICall | undefined {
    let request: LegacyCallRequest | undefined;
    return this.startCall(
      () => {
        request = read();
        return this.legacyInfo(
          request.model,
          request.generationConfig,
          request.baseUrl,
          GEN_AI_OPERATION.GENERATE_CONTENT,
          stream,
        );
      },
      () => ({
        inputMessages: inputMessages(request?.contents),
        systemInstructions: systemInstructionParts(request?.systemInstruction),
      }),
    );
  }

  private legacyGenerate(original: AnyFunction, describe: LegacyRequestReader): AnyFunction {
    const instrumentation = this;
    return function generateContent(
      this: unknown,
      request: unknown,
      requestOptions?: LegacyRequestOptions,
      ...rest: unknown[]
    ) {
      const call = instrumentation.startLegacyCall(() => describe(this, request, requestOptions), false);
      if (!call) return original.call(this, request, requestOptions, ...rest);
      return runCall(
        call,
        () => original.call(this, request, requestOptions, ...rest),
        (result: { response?: GeminiGenerateContentResponse }) =>
          finishGenerateContent(call, result?.response),
      );
    };
  }

  private legacyGenerateStream(original: AnyFunction, describe: LegacyRequestReader): AnyFunction {
    const instrumentation = this;
    return function generateContentStream(
      this: unknown,
      request: unknown,
      requestOptions?: LegacyRequestOptions,
      ...rest: unknown[]
    ) {
      const call = instrumentation.startLegacyCall(() => describe(this, request, requestOptions), true);
      if (!call) return original.call(this, request, requestOptions, ...rest);
      return runCall(
        call,
        () => original.call(this, request, requestOptions, ...rest),
        (result: LegacyStreamResult) => observeLegacyStream(call, result),
      );
    };
  }

  private legacyEmbed(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function embedContent(
      this: LegacyModel,
      request: unknown,
      requestOptions?: LegacyRequestOptions,
      ...rest: unknown[]
    ) {
      const call = instrumentation.startCall(() =>
        instrumentation.legacyInfo(
          this?.model,
          undefined,
          requestOptions?.baseUrl ?? this?._requestOptions?.baseUrl,
          GEN_AI_OPERATION.EMBEDDINGS,
          false,
        ),
      );
      if (!call) return original.call(this, request, requestOptions, ...rest);
      return runCall(
        call,
        () => original.call(this, request, requestOptions, ...rest),
        (response: GeminiEmbedContentResponse) => call.setUsage(embeddingUsage(response)),
      );
    };
  }
}

// ---------------------------------------------------------------------------
// Responses, shared by both SDKs
// ---------------------------------------------------------------------------

function finishGenerateContent(call: GenAICall, response: GeminiGenerateContentResponse | undefined): void {
  call.setResponse(responseInfo(response));
  call.setUsage(generateContentUsage(response));
  if (call.captureContent) call.recordContent({ outputMessages: outputMessages(response) });
}

/**
 * Follows a `@google/genai` stream (an async generator) in place. Usage comes
 * from the chunks: Gemini repeats cumulative `usageMetadata` on each one, so
 * whatever was seen last is what was billed so far.
 */
function observeGeminiStream(
  call: GenAICall,
  stream: AsyncGenerator<GeminiGenerateContentResponse>,
  signal: AbortSignal | undefined,
): boolean {
  const seen = new StreamAccumulator(call.captureContent);
  return observeCompletionStream(
    call,
    stream,
    {
      add(chunk: GeminiGenerateContentResponse) {
        seen.add(chunk);
        return true;
      },
      finish: () => finishGenerateContent(call, seen.response()),
    },
    { signal },
  );
}

/**
 * `@google/generative-ai` streams come as `{ stream, response }`: `response`
 * settles once the whole body has been read (the SDK tees the body, so it is
 * read even if the application stops iterating `stream` early), carrying the
 * final usage. The span ends there; iterating `stream` marks the first chunk
 * and yields the model version and response id, which the aggregated
 * `response` lacks.
 */
function observeLegacyStream(call: GenAICall, result: LegacyStreamResult): boolean {
  if (!result || typeof result !== 'object' || !result.response) return false;
  const seen = new StreamAccumulator(false);
  if (result.stream) {
    observeStream(result.stream, {
      onChunk(chunk: GeminiGenerateContentResponse) {
        call.firstChunk();
        seen.add(chunk);
      },
    });
  }
  const onResponse = (response: GeminiGenerateContentResponse) => {
    runSafely('reading a Google GenAI stream', () => {
      const { modelVersion, responseId } = seen.response();
      finishGenerateContent(call, { modelVersion, responseId, ...response });
    });
    call.end();
  };
  const onError = (error: unknown) => {
    // Broken or aborted mid-stream: the chunks the application read price a lower bound.
    runSafely('reading a Google GenAI stream', () => finishGenerateContent(call, seen.response()));
    call.markPartial();
    call.fail(error);
  };
  // Observed on the side (not replaced): the application keeps the promise it
  // would have had, and a rejection nobody asks for stays an unhandled one.
  const response = result.response;
  if (!observeSettlement(response, onResponse, onError)) {
    // Not a plain native promise: the rejection this handles cannot be re-raised faithfully.
    response.then(onResponse, onError);
  }
  // The aggregated `response` ends the call, not the promise that delivered it.
  return true;
}

/** What a `@google/generative-ai` call sends, read from the model or chat it runs on. */
interface LegacyCallRequest {
  model: string | undefined;
  generationConfig: LegacyGenerationConfig | undefined;
  baseUrl: string | undefined;
  contents: unknown;
  systemInstruction: unknown;
}

type LegacyRequestReader = (
  self: any,
  request: unknown,
  requestOptions?: LegacyRequestOptions,
) => LegacyCallRequest;

/**
 * `GenerativeModel.generateContent(request)`: `request` is a string, an array
 * of parts, or a full request whose own `generationConfig` replaces the model's.
 */
function legacyModelRequest(
  model: LegacyModel,
  request: unknown,
  requestOptions?: LegacyRequestOptions,
): LegacyCallRequest {
  const full =
    request && typeof request === 'object' && !Array.isArray(request)
      ? (request as Record<string, any>)
      : undefined;
  return {
    model: model?.model,
    generationConfig: full?.generationConfig ?? model?.generationConfig,
    baseUrl: requestOptions?.baseUrl ?? model?._requestOptions?.baseUrl,
    contents: full && 'contents' in full ? full.contents : request,
    systemInstruction: full?.systemInstruction ?? model?.systemInstruction,
  };
}

/** `ChatSession.sendMessage(message)`: the history so far plus the new user message. */
function legacyChatRequest(
  chat: LegacyChat,
  message: unknown,
  requestOptions?: LegacyRequestOptions,
): LegacyCallRequest {
  const history = Array.isArray(chat?._history) ? chat._history : [];
  const newTurn = { role: 'user', parts: (Array.isArray(message) ? message : [message]).map(asPart) };
  return {
    model: chat?.model,
    generationConfig: chat?.params?.generationConfig,
    baseUrl: requestOptions?.baseUrl ?? chat?._requestOptions?.baseUrl,
    contents: [...history, newTurn],
    systemInstruction: chat?.params?.systemInstruction,
  };
}

function asPart(value: unknown): unknown {
  return typeof value === 'string' ? { text: value } : value;
}
