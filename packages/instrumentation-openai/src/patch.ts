/**
 * How an SDK method is wrapped, independent of how it gets patched (module
 * hooks in `instrumentation.ts`, or `instrument()` for bundlers and edge
 * runtimes). One call of a wrapped method is one CLIENT span, whatever the SDK
 * does underneath (retries, helpers such as `parse`, `stream`, `runTools`
 * which call `create` in turn). The SDK's `APIPromise` goes back to the
 * application as it is, observed in place by core's `observeAPIPromise`.
 */

import {
  type APIPromiseReader,
  ENV,
  envFlag,
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAIRecorder,
  isAsyncIterable,
  logOnce,
  observeAPIPromise,
  observeCompletionStream,
  PROVIDER_REGISTRY,
  providerByName,
  providerFromBaseURL,
  reportedCostFromText,
  runInCall,
  runSafely,
  serverFromBaseURL,
  settle,
  warnOnce,
} from '@aicost/core';
import {
  AUDIO_SPEECH,
  AUDIO_TRANSCRIPTION,
  AUDIO_TRANSLATION,
  CHAT,
  COMPLETIONS,
  EMBEDDINGS,
  type Endpoint,
  IMAGES_GENERATE,
  isUsageOnlyChunk,
  RESPONSES,
} from './utils.js';

/** What a wrapped method needs from whoever installed it. */
export interface WrapSettings {
  enabled(): boolean;
  recorder(): GenAIRecorder;
  /**
   * Add `stream_options.include_usage` to streamed chat requests (and hide the extra chunk):
   * `true`/`false` as configured, `undefined` to follow the provider registry per host.
   */
  streamUsage(): boolean | undefined;
}

/**
 * Whether to add `stream_options.include_usage`, as configured by the `streamUsage` option, else
 * `AICOST_OPENAI_STREAM_USAGE`, else `undefined`: follow the provider registry per host. One rule
 * for the module hooks and `instrument()`.
 */
export function configuredStreamUsage(option: boolean | undefined): boolean | undefined {
  return option ?? envFlag(ENV.OPENAI_STREAM_USAGE);
}

export interface PatchTarget {
  prototype: Record<string, any>;
  method: string;
  endpoint: Endpoint;
  /** Whether the endpoint accepts `stream_options.include_usage`. */
  streamOptions?: boolean;
}

/** Marks our wrappers, so a method is never wrapped twice (module hook plus `instrument()`). */
export const AICOST_WRAPPED = Symbol.for('@aicost/instrumentation-openai.wrapped');

/** The `OpenAI` client class from `require('openai')`, an ESM namespace, or the class itself. */
export function findOpenAIClass(target: any): any {
  if (typeof target === 'function' && target.Chat) return target;
  const candidate = target?.OpenAI ?? target?.default?.OpenAI ?? target?.default;
  return typeof candidate === 'function' && candidate.Chat ? candidate : undefined;
}

/** The methods we instrument, as present in this SDK version. */
export function patchTargets(OpenAI: any): PatchTarget[] {
  const targets: PatchTarget[] = [];
  const add = (resource: any, method: string, endpoint: Endpoint, streamOptions = false) => {
    const prototype = resource?.prototype;
    if (prototype && typeof prototype[method] === 'function') {
      targets.push({ prototype, method, endpoint, streamOptions });
    }
  };
  add(OpenAI?.Chat?.Completions, 'create', CHAT, true);
  add(OpenAI?.Completions, 'create', COMPLETIONS, true);
  add(OpenAI?.Responses, 'create', RESPONSES);
  add(OpenAI?.Embeddings, 'create', EMBEDDINGS);
  add(OpenAI?.Images, 'generate', IMAGES_GENERATE);
  add(OpenAI?.Images, 'edit', IMAGES_GENERATE);
  add(OpenAI?.Audio?.Transcriptions, 'create', AUDIO_TRANSCRIPTION);
  add(OpenAI?.Audio?.Translations, 'create', AUDIO_TRANSLATION);
  add(OpenAI?.Audio?.Speech, 'create', AUDIO_SPEECH);
  return targets;
}

/** Builds the wrapper for one SDK method. */
export function wrapMethod(target: PatchTarget, settings: WrapSettings) {
  return (original: (...args: any[]) => any) => {
    if ((original as any)[AICOST_WRAPPED]) return original;
    const wrapped = function aicostInstrumented(this: any, ...args: any[]) {
      const body = args[0];
      if (!settings.enabled() || typeof body !== 'object' || body === null) return original.apply(this, args);
      let started: StartedCall;
      try {
        started = startCall(this, target, body, settings);
      } catch (error) {
        logOnce('starting an OpenAI span', error);
        return original.apply(this, args);
      }
      if (started.body !== body) args[0] = started.body;

      const { call } = started;
      const result = runInCall(call, original, this, ...args);
      try {
        return observeResult(result, call, target.endpoint, started);
      } catch (error) {
        logOnce('observing an OpenAI call', error);
        call.end(); // without its outcome, but never left open
        return result;
      }
    };
    Object.defineProperty(wrapped, AICOST_WRAPPED, { value: true });
    return wrapped;
  };
}

interface StartedCall {
  call: GenAICall;
  /** The body sent: the caller's, or a copy with `stream_options.include_usage` added. */
  body: any;
  stream: boolean;
  /** We asked for a usage chunk the caller did not: hide it from them. */
  hideUsageChunk: boolean;
  /** Nobody turned stream usage off on purpose: a stream without usage deserves the warning. */
  warnWithoutUsage: boolean;
}

interface ClientInfo {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
  /** The host is documented to accept `stream_options.include_usage` (provider registry). */
  acceptsStreamUsage: boolean;
}

const clientInfoCache = new WeakMap<object, ClientInfo>();

/**
 * Provider and server of a client, computed once per client: the client class
 * says Azure or Bedrock whatever the host; otherwise the base URL decides
 * (OpenAI-compatible hosts, self-hosted servers).
 */
function clientInfo(client: any): ClientInfo {
  if (typeof client !== 'object' || client === null) {
    return { provider: GEN_AI_PROVIDER.OPENAI, acceptsStreamUsage: false };
  }
  let info = clientInfoCache.get(client);
  if (!info) {
    const baseURL = typeof client.baseURL === 'string' ? client.baseURL : undefined;
    const provider = providerFromClientClass(client) ?? providerFromBaseURL(baseURL);
    info = {
      provider,
      ...serverFromBaseURL(baseURL),
      acceptsStreamUsage: providerByName(provider)?.streamUsage === 'on_request',
    };
    clientInfoCache.set(client, info);
  }
  return info;
}

function providerFromClientClass(client: object): string | undefined {
  for (
    let proto = Object.getPrototypeOf(client);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = proto.constructor?.name;
    if (name === 'AzureOpenAI') return GEN_AI_PROVIDER.AZURE_OPENAI;
    if (name === 'BedrockOpenAI') return GEN_AI_PROVIDER.AWS_BEDROCK;
    if (name === 'OpenAI') return undefined;
  }
  return undefined;
}

function startCall(resource: any, target: PatchTarget, body: any, settings: WrapSettings): StartedCall {
  const { endpoint } = target;
  const { requestModel, attributes, stream } = endpoint.describe(body);
  let sendBody = body;
  let hideUsageChunk = false;
  const client = clientInfo(resource?._client);
  const configured = settings.streamUsage();
  if (
    stream &&
    target.streamOptions &&
    body.stream_options?.include_usage === undefined &&
    (configured ?? client.acceptsStreamUsage)
  ) {
    // A copy: the caller's object is theirs (they may reuse or inspect it).
    sendBody = { ...body, stream_options: { ...body.stream_options, include_usage: true } };
    hideUsageChunk = true;
  }
  const warnWithoutUsage = configured !== false && body.stream_options?.include_usage !== false;
  const { provider, serverAddress, serverPort } = client;
  // Everything that can throw on a strange request runs above: once the span exists, nothing
  // here may throw (the caller would run the SDK method without ending it).
  const call = settings.recorder().start({
    provider,
    operation: endpoint.operation,
    requestModel,
    serverAddress,
    serverPort,
    stream,
    requestAttributes: attributes,
  });
  if (call.captureContent && endpoint.inputContent) {
    const { inputContent } = endpoint;
    runSafely('capturing OpenAI input content', () => call.recordContent(inputContent(body)));
  }
  return { call, body: sendBody, stream, hideUsageChunk, warnWithoutUsage };
}

/** Observes what the SDK method returned and returns what the application gets: the same object. */
function observeResult<T>(result: T, call: GenAICall, endpoint: Endpoint, started: StartedCall): T {
  const read = (value: unknown) => readValue(value, call, endpoint, started);
  const reader: APIPromiseReader = {
    stream: started.stream,
    read,
    // A gateway's cost header (LiteLLM's `x-litellm-response-cost`). A streamed response's headers
    // leave before anything is generated: they cannot state its cost.
    onResponse: started.stream ? undefined : (response) => readReportedCostHeader(response, call),
  };
  if (observeAPIPromise(result, call, reader)) return result;
  return settle(call, result, read);
}

function readReportedCostHeader(response: Response, call: GenAICall): void {
  for (const header of REPORTED_COST_HEADERS) {
    const cost = reportedCostFromText(response.headers.get(header), `header.${header}`);
    if (cost) {
      call.setReportedCost(cost);
      return;
    }
  }
}

/** The parsed result, as the application gets it: read it, or follow its stream. */
function readValue(value: unknown, call: GenAICall, endpoint: Endpoint, started: StartedCall): boolean {
  if (started.stream && endpoint.accumulator && isAsyncIterable(value)) {
    return observeOpenAIStream(value, call, endpoint, started);
  }
  endpoint.onResult(call, value);
  return false;
}

function observeOpenAIStream(
  stream: any,
  call: GenAICall,
  endpoint: Endpoint,
  started: StartedCall,
): boolean {
  const { hideUsageChunk, warnWithoutUsage } = started;
  const accumulator = endpoint.accumulator!(call);
  return observeCompletionStream(
    call,
    stream,
    {
      add(chunk: unknown) {
        accumulator.onChunk(chunk);
        return true;
      },
      finish: () => accumulator.finish(call),
    },
    {
      signal: stream.controller?.signal,
      hideChunk: hideUsageChunk ? isUsageOnlyChunk : undefined,
      // Asked for usage, the server adds `usage: null` to every chunk: the application did not ask.
      afterChunk: hideUsageChunk ? removeNullUsage : undefined,
      afterDone: warnWithoutUsage
        ? () => {
            if (accumulator.sawUsage === false) warnStreamWithoutUsage();
          }
        : undefined,
    },
  );
}

function removeNullUsage(chunk: unknown): void {
  if (typeof chunk === 'object' && chunk !== null && (chunk as { usage?: unknown }).usage === null) {
    delete (chunk as { usage?: unknown }).usage;
  }
}

/**
 * Once per process: a streamed chat completion ended without usage, so it stays
 * `unpriced` / `missing_usage`. Says how to fix it.
 */
function warnStreamWithoutUsage(): void {
  warnOnce(
    'openai-stream-without-usage',
    'aicost: a streamed OpenAI-compatible chat completion ended without usage, so its cost is unknown ' +
      '(aicost.cost.status_reason = missing_usage). Ask for usage with stream_options: { include_usage: true }, ' +
      'or let aicost ask for it: AICOST_OPENAI_STREAM_USAGE=true (or the instrumentation option streamUsage: true) ' +
      'if this host accepts stream_options; aicost asks by default only where the provider registry says the host does.',
  );
}

/** Response headers in which gateways state what they billed, from the provider registry. */
const REPORTED_COST_HEADERS: readonly string[] = PROVIDER_REGISTRY.flatMap((record) =>
  'reportedCost' in record && record.reportedCost.in === 'header' ? [record.reportedCost.header] : [],
);
