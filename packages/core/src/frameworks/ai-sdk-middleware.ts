import { context, metrics, trace } from '@opentelemetry/api';
import { createGenAIRecorder, type GenAICall, type GenAIRecorder } from '../instrumentation/recorder.js';
import { runSafely } from '../instrumentation/safety.js';
import { CountReader } from '../ledger/usage.js';
import { normalizeProviderName } from '../processors/foreign-calls.js';
import { GEN_AI_OPERATION } from '../semconv.js';
import type { LedgerResult } from '../types.js';

/** The instrumentation scope of the middleware's spans (an aicost scope: the cost processor leaves them alone). */
export const AI_SDK_MIDDLEWARE_SCOPE = '@aicost/core/ai-sdk-middleware';

/**
 * The parts of an AI SDK language model (specification v2, v3 or v4) the middleware reads:
 * `provider` (`openai.chat`, `anthropic.messages`) and `modelId`.
 */
export interface AISDKModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/** The parts of a `doGenerate` result the middleware reads. */
export interface AISDKGenerateResultLike {
  usage?: unknown;
  finishReason?: unknown;
  response?: { id?: unknown; modelId?: unknown };
}

/** The parts of a `doStream` result the middleware reads; `stream` is handed on with every part unchanged. */
export interface AISDKStreamResultLike {
  stream: ReadableStream<unknown>;
}

/**
 * An AI SDK language-model middleware (the `LanguageModelMiddleware` of `ai`'s
 * `wrapLanguageModel`): one aicost span per model call, priced and attributed like the
 * provider instrumentations' spans. For frameworks that call AI SDK models directly and do
 * not go through a provider SDK aicost patches (Mastra's agent loop, `ai` without
 * telemetry). Typed structurally so `@aicost/core` needs no dependency on `ai`.
 */
export interface AicostModelMiddleware {
  readonly specificationVersion: 'v4';
  wrapGenerate<R extends AISDKGenerateResultLike>(options: {
    doGenerate: () => PromiseLike<R>;
    model: AISDKModelLike;
  }): Promise<R>;
  wrapStream<R extends AISDKStreamResultLike>(options: {
    doStream: () => PromiseLike<R>;
    model: AISDKModelLike;
  }): Promise<R>;
}

/**
 * `wrapLanguageModel({ model, middleware: aicostModelMiddleware() })`: every `doGenerate` and
 * `doStream` of the wrapped model is one CLIENT span `chat {model}` with the call's token
 * ledger and cost. A stream's span ends when the stream does (usage from its `finish` part);
 * a stream cancelled before that part ends its span without usage (`unpriced` / `missing_usage`,
 * never $0). The result keeps every field of the model's; its stream is a pass-through of the
 * model's stream, the AI SDK's own middleware pattern.
 */
export function aicostModelMiddleware(): AicostModelMiddleware {
  let recorder: GenAIRecorder | undefined;
  // Created on the first call: the application registers its tracer and meter providers after building its models.
  const start = (model: AISDKModelLike, stream: boolean): GenAICall | undefined =>
    runSafely('aicostModelMiddleware start', () => {
      recorder ??= createGenAIRecorder({
        tracer: trace.getTracer(AI_SDK_MIDDLEWARE_SCOPE),
        meter: metrics.getMeter(AI_SDK_MIDDLEWARE_SCOPE),
        instrumentationName: AI_SDK_MIDDLEWARE_SCOPE,
        captureContent: false,
      });
      return recorder.start({
        provider: normalizeProviderName(String(model.provider)),
        operation: GEN_AI_OPERATION.CHAT,
        requestModel: String(model.modelId),
        stream,
      });
    });

  return {
    specificationVersion: 'v4',
    async wrapGenerate<R extends AISDKGenerateResultLike>({
      doGenerate,
      model,
    }: {
      doGenerate: () => PromiseLike<R>;
      model: AISDKModelLike;
    }): Promise<R> {
      const call = start(model, false);
      if (call === undefined) return doGenerate();
      let result: R;
      try {
        result = await context.with(call.context, doGenerate);
      } catch (error) {
        runSafely('aicostModelMiddleware fail', () => call.fail(error));
        throw error;
      }
      runSafely('aicostModelMiddleware end', () => {
        call.setResponse(responseInfo(result.response, result.finishReason));
        call.setUsage(usageFromAISDK(result.usage));
        call.end();
      });
      return result;
    },
    async wrapStream<R extends AISDKStreamResultLike>({
      doStream,
      model,
    }: {
      doStream: () => PromiseLike<R>;
      model: AISDKModelLike;
    }): Promise<R> {
      const call = start(model, true);
      if (call === undefined) return doStream();
      let result: R;
      try {
        result = await context.with(call.context, doStream);
      } catch (error) {
        runSafely('aicostModelMiddleware fail', () => call.fail(error));
        throw error;
      }
      const observed = runSafely('aicostModelMiddleware stream', () =>
        result.stream.pipeThrough(streamObserver(call)),
      );
      return observed === undefined ? result : { ...result, stream: observed };
    },
  };
}

/** Passes every part on unchanged and records the response metadata, first chunk and usage it carries. */
function streamObserver(call: GenAICall): TransformStream<unknown, unknown> {
  let id: unknown;
  let modelId: unknown;
  let finished = false;
  let error: unknown;
  // `cancel` (the consumer gave up on the stream) is a newer transformer hook than the DOM typings know.
  const transformer = {
    transform(part: unknown, controller: TransformStreamDefaultController<unknown>) {
      controller.enqueue(part);
      runSafely('aicostModelMiddleware stream part', () => {
        if (typeof part !== 'object' || part === null) return;
        const chunk = part as {
          type?: unknown;
          id?: unknown;
          modelId?: unknown;
          usage?: unknown;
          finishReason?: unknown;
          error?: unknown;
        };
        switch (chunk.type) {
          case 'response-metadata':
            id ??= chunk.id;
            modelId ??= chunk.modelId;
            break;
          case 'text-delta':
          case 'reasoning-delta':
          case 'tool-input-start':
          case 'tool-call':
            call.firstChunk();
            break;
          case 'finish':
            finished = true;
            call.setResponse(responseInfo({ id, modelId }, chunk.finishReason));
            call.setUsage(usageFromAISDK(chunk.usage));
            break;
          case 'error':
            error = chunk.error;
            break;
        }
      });
    },
    flush() {
      runSafely('aicostModelMiddleware stream end', () => {
        if (!finished) call.markPartial();
        if (error !== undefined) call.fail(error);
        else call.end();
      });
    },
    cancel() {
      runSafely('aicostModelMiddleware stream cancel', () => {
        call.markPartial();
        call.end();
      });
    },
  };
  return new TransformStream(
    transformer as ConstructorParameters<typeof TransformStream<unknown, unknown>>[0],
  );
}

function responseInfo(response: AISDKGenerateResultLike['response'], finishReason: unknown) {
  const info: { responseModel?: string; responseId?: string; finishReasons?: string[] } = {};
  if (typeof response?.modelId === 'string') info.responseModel = response.modelId;
  if (typeof response?.id === 'string') info.responseId = response.id;
  // v2 spells the reason as a string, v3 and v4 as { unified, raw }.
  const reason =
    typeof finishReason === 'string'
      ? finishReason
      : (finishReason as { unified?: unknown } | undefined)?.unified;
  if (typeof reason === 'string') info.finishReasons = [reason];
  return info;
}

/**
 * The token ledger of an AI SDK usage object: v3/v4 `{ inputTokens: { total, cacheRead,
 * cacheWrite }, outputTokens: { total, reasoning } }` (totals include the cache and reasoning
 * parts, as the ledger's do) or v2 `{ inputTokens, outputTokens, cachedInputTokens,
 * reasoningTokens }`. `undefined` when the provider reported none.
 */
export function usageFromAISDK(usage: unknown): LedgerResult {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const source = usage as Record<string, unknown>;
  const reader = new CountReader();
  if (typeof source.inputTokens === 'object' || typeof source.outputTokens === 'object') {
    const input = (source.inputTokens ?? {}) as Record<string, unknown>;
    const output = (source.outputTokens ?? {}) as Record<string, unknown>;
    if (input.total == null && output.total == null) return undefined;
    return reader.finish({
      inputTokens: reader.count(input.total, 'inputTokens.total'),
      cacheReadTokens: reader.count(input.cacheRead, 'inputTokens.cacheRead'),
      cacheWriteTokens: reader.count(input.cacheWrite, 'inputTokens.cacheWrite'),
      outputTokens: reader.count(output.total, 'outputTokens.total'),
      reasoningTokens: reader.count(output.reasoning, 'outputTokens.reasoning'),
    });
  }
  if (source.inputTokens == null && source.outputTokens == null) return undefined;
  return reader.finish({
    inputTokens: reader.count(source.inputTokens, 'inputTokens'),
    cacheReadTokens: reader.count(source.cachedInputTokens, 'cachedInputTokens'),
    outputTokens: reader.count(source.outputTokens, 'outputTokens'),
    reasoningTokens: reader.count(source.reasoningTokens, 'reasoningTokens'),
  });
}
