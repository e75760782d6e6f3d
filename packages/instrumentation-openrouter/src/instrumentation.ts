import {
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  GenAIInstrumentationBase,
  observeCompletionStream,
  providerDefaultBaseURL,
  runCall,
  runSafely,
  serverFromBaseURL,
} from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { OpenRouterInstrumentationConfig } from './types.js';
import { CHAT, EMBEDDINGS, type Endpoint } from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The `@openrouter/sdk` versions whose resources this instrumentation knows (`chat.send`, `embeddings.generate`). */
export const SUPPORTED_VERSIONS = ['>=0.1.0 <2'];

type AnyFunction = (...args: any[]) => any;

/** Where the SDK sends requests when the client names no server URL (the registry's OpenRouter host). */
const DEFAULT_BASE_URL = providerDefaultBaseURL(GEN_AI_PROVIDER.OPENROUTER);
type Methods = Record<string, AnyFunction>;

/** The instrumented methods, by the client getter that creates their resource. */
const PATCH_TARGETS: Readonly<Record<string, Readonly<Record<string, Endpoint>>>> = {
  chat: { send: CHAT },
  embeddings: { generate: EMBEDDINGS },
};

/**
 * OpenTelemetry GenAI instrumentation with cost for `@openrouter/sdk`: one CLIENT span per
 * `chat.send()` (`chat {model}`), streamed or not, and `embeddings.generate()`
 * (`embeddings {model}`), the SDK's retries included. The cost is what OpenRouter billed
 * (`usage.cost`, `provider_reported`), else the catalogue's OpenRouter price.
 */
export class OpenRouterInstrumentation extends GenAIInstrumentationBase<OpenRouterInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of @openrouter/sdk or its OpenRouter class';

  constructor(config: OpenRouterInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [this.sdkModuleDefinition('@openrouter/sdk', SUPPORTED_VERSIONS)];
  }

  protected patchModule(moduleExports: unknown): boolean {
    const resources = resourcePrototypes(moduleExports);
    if (!resources) return false;
    for (const [resource, methods] of Object.entries(PATCH_TARGETS)) {
      for (const [method, endpoint] of Object.entries(methods)) {
        this.wrapOnce(resources[resource], method, (original) => this.patched(original, endpoint));
      }
    }
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const resources = resourcePrototypes(moduleExports);
    for (const [resource, methods] of Object.entries(PATCH_TARGETS)) {
      const prototype = resources?.[resource];
      for (const method of Object.keys(methods)) {
        if (prototype && isWrapped(prototype[method])) this._unwrap(prototype, method);
      }
    }
  }

  private patched(original: AnyFunction, endpoint: Endpoint): AnyFunction {
    const instrumentation = this;
    return function openRouterCall(this: { _baseURL?: unknown }, ...args: unknown[]) {
      const request = args[0];
      if (typeof request !== 'object' || request === null) return original.apply(this, args);
      let body: Record<string, any> | undefined;
      let stream = false;
      // The request is read inside startCall, where a failure of ours is logged and the SDK runs untouched.
      const call = instrumentation.startCall(
        () => {
          body = endpoint.body(request);
          if (!body) return undefined;
          const info = callInfo(this, endpoint, body);
          stream = info.stream === true;
          return info;
        },
        endpoint.inputContent && (() => endpoint.inputContent!(body!)),
      );
      if (!call) return original.apply(this, args);
      return runCall(
        call,
        () => original.apply(this, args),
        (value: unknown) => readResult(call, endpoint, stream, value),
      );
    };
  }
}

function callInfo(
  resource: { _baseURL?: unknown },
  endpoint: Endpoint,
  body: Record<string, any>,
): GenAICallInfo {
  const { requestModel, attributes, stream } = endpoint.describe(body);
  const baseURL = resource?._baseURL;
  return {
    // The SDK speaks OpenRouter's API wherever it is pointed; a host the user mapped to
    // another provider is priced as that provider (`AICOST_HOSTS`).
    provider: GEN_AI_PROVIDER.OPENROUTER,
    operation: endpoint.operation,
    requestModel,
    ...serverFromBaseURL(baseURL instanceof URL || typeof baseURL === 'string' ? baseURL : DEFAULT_BASE_URL),
    stream,
    requestAttributes: attributes,
  };
}

/** Reads a result into the call; `true` when a stream took the call over (it ends when the stream does). */
function readResult(call: GenAICall, endpoint: Endpoint, stream: boolean, value: unknown): boolean {
  if (stream && endpoint.streamReader) {
    // An `EventStream` (a `ReadableStream`): read with `for await` or through `getReader()`.
    return observeCompletionStream(call, value, endpoint.streamReader(call), { readers: true });
  }
  endpoint.onResult(call, value);
  return false;
}

/**
 * The resource prototypes (`Chat.prototype`, `Embeddings.prototype`). The SDK does not export
 * the resource classes from its main module; its `OpenRouter` client creates them lazily in
 * getters, so one getter call on a bare probe object yields an instance of each.
 */
function resourcePrototypes(moduleExports: unknown): Record<string, Methods | undefined> | undefined {
  const exports = moduleExports as { OpenRouter?: unknown; default?: { OpenRouter?: unknown } } | undefined;
  const OpenRouter =
    exports?.OpenRouter ??
    exports?.default?.OpenRouter ??
    (typeof moduleExports === 'function' ? moduleExports : undefined);
  const prototype = typeof OpenRouter === 'function' ? (OpenRouter.prototype as object) : undefined;
  if (!prototype) return undefined;
  const found: Record<string, Methods | undefined> = {};
  for (const name of Object.keys(PATCH_TARGETS)) {
    const getter = Object.getOwnPropertyDescriptor(prototype, name)?.get;
    const instance =
      getter && runSafely(`locating the OpenRouter ${name} resource`, () => getter.call({ _options: {} }));
    found[name] = instance ? (Object.getPrototypeOf(instance) as Methods) : undefined;
  }
  return Object.values(found).some(Boolean) ? found : undefined;
}
