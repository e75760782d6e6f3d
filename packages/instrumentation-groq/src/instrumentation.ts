import {
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAICallInfo,
  GenAIInstrumentationBase,
  observeAPIPromise,
  observeCompletionStream,
  providerDefaultBaseURL,
  runInCall,
  serverFromBaseURL,
  settle,
} from '@aicost/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { GroqInstrumentationConfig } from './types.js';
import { CHAT, type Endpoint } from './utils.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The `groq-sdk` majors whose Stainless client this instrumentation knows. */
export const SUPPORTED_VERSIONS = ['>=0.30.0 <2'];

type AnyFunction = (...args: any[]) => any;

/** Where the SDK sends requests when the client names no `baseURL` (the registry's Groq host). */
const DEFAULT_BASE_URL = providerDefaultBaseURL(GEN_AI_PROVIDER.GROQ);

/** The instrumented methods: a resource class of the client, the method, what it is. */
const PATCH_TARGETS: ReadonlyArray<{ resource: (Groq: any) => any; method: string; endpoint: Endpoint }> = [
  { resource: (Groq) => Groq?.Chat?.Completions, method: 'create', endpoint: CHAT },
];

/**
 * OpenTelemetry GenAI instrumentation with cost for `groq-sdk` (CJS and ESM): one CLIENT span
 * per `chat.completions.create()` (`chat {model}`), streamed or not, retries included, with the
 * token ledger, its exact cost and the GenAI metrics.
 */
export class GroqInstrumentation extends GenAIInstrumentationBase<GroqInstrumentationConfig> {
  protected readonly expectedExports = 'the exports of groq-sdk or its Groq class';

  constructor(config: GroqInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [this.sdkModuleDefinition('groq-sdk', SUPPORTED_VERSIONS)];
  }

  protected patchModule(moduleExports: unknown): boolean {
    const Groq = findGroqClass(moduleExports);
    if (!Groq) return false;
    for (const { resource, method, endpoint } of PATCH_TARGETS) {
      this.wrapOnce(resource(Groq)?.prototype, method, (original) => this.patched(original, endpoint));
    }
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const Groq = findGroqClass(moduleExports);
    for (const { resource, method } of PATCH_TARGETS) {
      const prototype = resource(Groq)?.prototype;
      if (prototype && isWrapped(prototype[method])) this._unwrap(prototype, method);
    }
  }

  private patched(original: AnyFunction, endpoint: Endpoint): AnyFunction {
    const instrumentation = this;
    return function groqCall(this: { _client?: { baseURL?: unknown } }, ...args: unknown[]) {
      const body = args[0] as Record<string, any> | undefined;
      if (typeof body !== 'object' || body === null) return original.apply(this, args);
      let stream = false;
      // The request is read inside startCall, where a failure of ours is logged and the SDK runs untouched.
      const call = instrumentation.startCall(
        () => {
          const info = callInfo(this, endpoint, body);
          stream = info.stream === true;
          return info;
        },
        endpoint.inputContent && (() => endpoint.inputContent!(body)),
      );
      if (!call) return original.apply(this, args);
      const pending = runInCall(call, () => original.apply(this, args));
      const read = (value: unknown) => readResult(call, endpoint, stream, value);
      // `create` returns a Stainless APIPromise; anything else is settled as a plain promise.
      if (!observeAPIPromise(pending, call, { stream, read })) settle(call, pending, read);
      return pending;
    };
  }
}

function callInfo(
  resource: { _client?: { baseURL?: unknown } },
  endpoint: Endpoint,
  body: Record<string, any>,
): GenAICallInfo {
  const { requestModel, attributes, stream } = endpoint.describe(body);
  const baseURL = typeof resource?._client?.baseURL === 'string' ? resource._client.baseURL : undefined;
  return {
    // The SDK speaks Groq's API wherever it is pointed (a proxy, a mock); a host the user
    // mapped to another provider is priced as that provider (`AICOST_HOSTS`).
    provider: GEN_AI_PROVIDER.GROQ,
    operation: endpoint.operation,
    requestModel,
    ...serverFromBaseURL(baseURL ?? DEFAULT_BASE_URL),
    stream,
    requestAttributes: attributes,
  };
}

/** Reads a result into the call; `true` when a stream took the call over (it ends when the stream does). */
function readResult(call: GenAICall, endpoint: Endpoint, stream: boolean, value: unknown): boolean {
  if (stream && endpoint.streamReader) {
    const signal = (value as { controller?: { signal?: unknown } } | null)?.controller?.signal;
    return observeCompletionStream(call, value, endpoint.streamReader(call), {
      signal: signal instanceof AbortSignal ? signal : undefined,
    });
  }
  endpoint.onResult(call, value);
  return false;
}

/** The `Groq` client class from `require('groq-sdk')`, an ESM namespace, or the class itself. */
function findGroqClass(target: any): any {
  if (typeof target === 'function' && target.Chat) return target;
  const candidate = target?.Groq ?? target?.default?.Groq ?? target?.default;
  return typeof candidate === 'function' && candidate.Chat ? candidate : undefined;
}
