/**
 * How an SDK method is wrapped, independent of how it gets patched (module
 * hooks in `instrumentation.ts`, or `instrument()` for bundlers and edge
 * runtimes). One call of a wrapped method is one CLIENT span, whatever the SDK
 * does underneath (retries, helpers such as `parse`, `stream`, `runTools`
 * which call `create` in turn).
 *
 * The SDK returns an `APIPromise`: a Promise subclass whose body is read only
 * when someone awaits it, and which also offers `asResponse()` (the raw,
 * unread `Response`) and `withResponse()`. We return that same object,
 * observed in place:
 * - its `parseResponse` is wrapped, so we see the parsed value when, and only
 *   when, the application asks for it: the body is read once, by the SDK;
 * - its `responsePromise` (the request, retries included) tells us about
 *   HTTP and network errors;
 * - when the raw response is taken with `asResponse()`, or nobody asks for the
 *   result at all (fire-and-forget), the usage is read from a clone of the
 *   response, so the application's body stays unread.
 */

import {
  GEN_AI_PROVIDER,
  type GenAICall,
  type GenAIRecorder,
  isThenable,
  logOnce,
  observeStream,
  PROVIDER_REGISTRY,
  providerByName,
  providerFromBaseURL,
  reportedCostFromText,
  runSafely,
  serverFromBaseURL,
  warnOnce,
} from '@aicost/core';
import { context } from '@opentelemetry/api';
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
      let result: any;
      try {
        result = context.with(call.context, original, this, ...args);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      try {
        observeResult(result, call, target.endpoint, started);
      } catch (error) {
        logOnce('observing an OpenAI call', error);
        call.end(); // without its outcome, but never left open
      }
      return result;
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
  const { provider, serverAddress, serverPort } = client;
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
    const content = endpoint.inputContent(body);
    runSafely('capturing OpenAI input content', () => call.recordContent(content));
  }
  const warnWithoutUsage = configured !== false && body.stream_options?.include_usage !== false;
  return { call, body: sendBody, stream, hideUsageChunk, warnWithoutUsage };
}

function observeResult(result: any, call: GenAICall, endpoint: Endpoint, started: StartedCall): void {
  if (isAPIPromise(result)) {
    observePromiseInPlace(result, new Consumption(call, endpoint, started), true);
  } else if (result && typeof result.then === 'function') {
    const consumption = new Consumption(call, endpoint, started);
    result.then(
      (value: unknown) => consumption.deliver(value),
      (error: unknown) => call.fail(error),
    );
  } else {
    call.end();
  }
}

interface APIPromiseLike {
  responsePromise: Promise<{ response: Response }>;
  parseResponse: (...args: any[]) => unknown;
  /** Behind `then`/`catch`/`finally`/`withResponse()`: the application asks for the result. */
  parse?: () => Promise<unknown>;
  asResponse: () => Promise<Response>;
  _thenUnwrap?: (transform: (value: unknown, props: unknown) => unknown) => APIPromiseLike;
}

function isAPIPromise(value: any): value is APIPromiseLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.parseResponse === 'function' &&
    typeof value.asResponse === 'function' &&
    typeof value.responsePromise?.then === 'function'
  );
}

/**
 * How one call's result is consumed, shared by the promise returned to the
 * application and the promises derived from it. One object per call, with
 * its methods on the prototype: this runs for every request.
 */
class Consumption {
  /** Someone reads the body through the SDK (await, then, withResponse, a derived helper). */
  parsing = false;
  /** The application took the raw Response. */
  rawTaken = false;
  /** The parsed value was handed to us (once, however many promises see it). */
  delivered = false;
  /** The application asked for the result or the raw response: it handles the request's rejection. */
  claimed = false;
  /** The request's rejection, re-raised for an application that has not asked for the result (yet). */
  unclaimedRejection: Promise<never> | undefined;

  constructor(
    readonly call: GenAICall,
    private readonly endpoint: Endpoint,
    private readonly started: StartedCall,
  ) {}

  get stream(): boolean {
    return this.started.stream;
  }

  claim(): void {
    this.claimed = true;
    // Handled now, as the SDK's own promise would be (`rejectionHandled` if it was reported).
    this.unclaimedRejection?.catch(() => {});
    this.unclaimedRejection = undefined;
  }

  /** The parsed result, as the application gets it: read it, or follow its stream. */
  deliver(value: unknown): void {
    if (this.delivered) return;
    this.delivered = true;
    try {
      onParsedValue(value, this.call, this.endpoint, this.started);
    } catch (error) {
      logOnce('reading an OpenAI response', error);
    }
  }

  /** The request (retries included) answered: if nobody reads it, read it ourselves. */
  responded(response: Response): void {
    runSafely('reading a reported cost header', () => this.readReportedCostHeader(response));
    // Consumers that were waiting have started parsing by the time this
    // microtask runs (their reactions were queued before it); if nobody
    // has, the call was fire-and-forget, or the result is awaited later.
    queueMicrotask(() => {
      if (!this.parsing && !this.rawTaken) {
        runSafely('reading an unclaimed OpenAI response', () => finalizeFromRaw(response, this));
      }
    });
  }

  /** A gateway's cost header (LiteLLM's `x-litellm-response-cost`), read from the response it answered. */
  readReportedCostHeader(response: Response): void {
    // A streamed response's headers leave before anything is generated: they cannot state its cost.
    if (this.stream) return;
    for (const header of REPORTED_COST_HEADERS) {
      const cost = reportedCostFromText(response.headers.get(header), `header.${header}`);
      if (cost) {
        this.call.setReportedCost(cost);
        return;
      }
    }
  }

  requestFailed(error: unknown): void {
    this.call.fail(error);
    // Observing the request handled its rejection. Without us, a request whose
    // result nobody asks for (fire-and-forget) is an unhandled rejection: keep it one,
    // with the same error, until the application asks (see `claim`).
    if (!this.claimed) this.unclaimedRejection = Promise.reject(error);
  }
}

/**
 * Wraps, as own properties, the methods through which this promise's body is
 * read: `parseResponse` (await/then/withResponse), `asResponse`, and
 * `_thenUnwrap`, which SDK helpers (`parse`, `stream`) use to derive new
 * promises from it. openai 7 derives them from a private closure rather than
 * from `parseResponse`, so derived promises are observed the same way, and
 * the untransformed value is taken from the transform they apply.
 *
 * The parsed value is observed on the side of the SDK's own promise, which is
 * returned as it is: no promise of ours in the application's chain, no added
 * microtask before it sees the result.
 */
function observePromiseInPlace(promise: APIPromiseLike, consumption: Consumption, isRoot: boolean): void {
  const { call } = consumption;
  const parse = promise.parse;
  if (typeof parse === 'function') {
    promise.parse = function observedParse(this: unknown) {
      consumption.claim();
      return parse.call(this);
    };
  }
  const parseResponse = promise.parseResponse;
  promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]) {
    consumption.parsing = true;
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    if (isThenable(parsed)) {
      parsed.then(isRoot ? (value: unknown) => consumption.deliver(value) : undefined, (error: unknown) =>
        call.fail(error),
      );
    } else if (isRoot) {
      consumption.deliver(parsed);
    }
    return parsed;
  };

  const asResponse = promise.asResponse;
  promise.asResponse = function observedAsResponse(this: unknown) {
    consumption.rawTaken = true;
    consumption.claim();
    return asResponse.call(this).then((response) => {
      // withResponse() also parses; then the parse path finalizes.
      if (!consumption.parsing) {
        runSafely('reading a raw OpenAI response', () => finalizeFromRaw(response, consumption));
      }
      return response;
    });
  };

  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap === 'function') {
    promise._thenUnwrap = function observedThenUnwrap(this: unknown, transform) {
      const derived = thenUnwrap.call(this, (value: unknown, props: unknown) => {
        if (isRoot) consumption.deliver(value);
        return transform(value, props);
      });
      if (isAPIPromise(derived))
        runSafely('observing a derived OpenAI promise', () =>
          observePromiseInPlace(derived, consumption, false),
        );
      return derived;
    };
  }
  // Last: the request's rejection is only taken over once `claim` is wired to the methods above.
  if (isRoot) {
    promise.responsePromise.then(
      ({ response }) => consumption.responded(response),
      (error: unknown) => consumption.requestFailed(error),
    );
  }
}

/**
 * Reads the usage from a clone of a raw response, leaving the original unread
 * for the application. An invalid JSON body is recorded as the call's error.
 * Streams are not read (that would buffer the whole stream): the call ends
 * without usage.
 */
function finalizeFromRaw(response: Response, consumption: Consumption): void {
  const { call } = consumption;
  if (call.ended || consumption.delivered) return;
  const contentType = response.headers.get('content-type') ?? '';
  if (consumption.stream || !contentType.includes('json') || response.bodyUsed) {
    call.end();
    return;
  }
  response
    .clone()
    .text()
    .then((text) => consumption.deliver(text ? JSON.parse(text) : undefined))
    .catch((error: unknown) => call.fail(error));
}

function onParsedValue(value: unknown, call: GenAICall, endpoint: Endpoint, started: StartedCall): void {
  if (call.ended) return;
  if (started.stream && endpoint.accumulator && isAsyncIterable(value)) {
    observeOpenAIStream(value, call, endpoint, started);
    return;
  }
  endpoint.onResult(call, value);
  call.end();
}

function observeOpenAIStream(stream: any, call: GenAICall, endpoint: Endpoint, started: StartedCall): void {
  const { hideUsageChunk, warnWithoutUsage } = started;
  const accumulator = endpoint.accumulator!(call);
  const finish = () => runSafely('reading an OpenAI stream', () => accumulator.finish(call));
  observeStream(stream, {
    signal: stream.controller?.signal,
    hideChunk: hideUsageChunk ? isUsageOnlyChunk : undefined,
    onChunk(chunk: unknown) {
      call.firstChunk();
      accumulator.onChunk(chunk);
      // Asked for usage, the server adds `usage: null` to every chunk: the application did not ask.
      if (hideUsageChunk) removeNullUsage(chunk);
    },
    onDone() {
      const failure = finish();
      if (warnWithoutUsage && accumulator.sawUsage === false) warnStreamWithoutUsage();
      if (failure) call.fail(failure);
      else call.end();
    },
    // Ended before its end: whatever usage was seen prices a lower bound (`estimated` / `partial_stream`).
    onError(error: unknown) {
      finish();
      call.markPartial();
      call.fail(error);
    },
    onAbandon() {
      finish();
      call.markPartial();
      call.end();
    },
  });
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as any)[Symbol.asyncIterator] === 'function'
  );
}
