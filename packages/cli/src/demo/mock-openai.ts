/**
 * OpenAI wire format for the demo: `POST /v1/chat/completions` (JSON, or SSE
 * with the usage chunk when `stream_options.include_usage` is set) and
 * `POST /v1/embeddings` (float or base64 vectors, as the SDK asks).
 *
 * Prompt caching follows OpenAI's rule: prompts of 1,024 tokens or more have
 * their prefix cached in 128-token steps. The demo treats the cache as warm,
 * so the system prompt is what is cached (`prompt_tokens` includes it).
 */
import { errorReply, jsonReply, type MockReply, type SseEvent } from './reply.js';
import { countTokens, deltas, outputTokens, replyText, seedOf, textsOf } from './text.js';

/** The dated snapshot the API reports for an alias (what the instrumentation prices). */
const SNAPSHOTS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
};

const CREATED = 1_767_225_600; // fixed timestamp: same bytes every run

interface ChatMessage {
  role?: string;
  content?: unknown;
}

interface ChatRequest {
  model?: string;
  messages?: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Usage of a chat request: 4 tokens of framing per message plus its text. */
export function chatUsage(request: ChatRequest): { usage: ChatUsage; seed: number } {
  const messages = request.messages ?? [];
  const all = messages.flatMap((m) => textsOf(m.content)).join('\n');
  const system = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .flatMap((m) => textsOf(m.content))
    .join('\n');
  const prompt = countTokens(all) + 4 * messages.length;
  const systemTokens = countTokens(system);
  const cached = prompt >= 1024 && systemTokens >= 1024 ? Math.floor(systemTokens / 128) * 128 : 0;
  const seed = seedOf(all);
  const completion = outputTokens(seed, request.max_completion_tokens ?? request.max_tokens);
  return {
    seed,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}

export function openaiChat(body: unknown): MockReply {
  const request = (body ?? {}) as ChatRequest;
  if (!request.model || !Array.isArray(request.messages)) {
    return errorReply(400, {
      error: {
        message: 'model and messages are required',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  }
  const { usage, seed } = chatUsage(request);
  const model = SNAPSHOTS[request.model] ?? request.model;
  const id = `chatcmpl-demo${seed.toString(16)}`;
  const text = replyText(seed, usage.completion_tokens);
  if (!request.stream) {
    return jsonReply({
      id,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_demo',
    });
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_demo',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(request.stream_options?.include_usage ? { usage: null } : {}),
  });
  const events: SseEvent[] = [
    { data: JSON.stringify(chunk({ role: 'assistant', content: '', refusal: null }, null)) },
  ];
  for (const piece of deltas(text)) events.push({ data: JSON.stringify(chunk({ content: piece }, null)) });
  events.push({ data: JSON.stringify(chunk({}, 'stop')) });
  if (request.stream_options?.include_usage) {
    events.push({
      data: JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_demo',
        choices: [],
        usage,
      }),
    });
  }
  events.push({ data: '[DONE]' });
  return { kind: 'sse', events };
}

interface EmbeddingRequest {
  model?: string;
  input?: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

/** A small unit-ish vector derived from the text (the demo needs a shape, not meaning). */
function vectorOf(text: string, dimensions: number): number[] {
  let seed = seedOf(text);
  const values: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) >>> 0;
    values.push(Math.round(((seed % 2000) / 1000 - 1) * 1e6) / 1e6);
  }
  return values;
}

export function openaiEmbeddings(body: unknown): MockReply {
  const request = (body ?? {}) as EmbeddingRequest;
  if (!request.model || request.input === undefined) {
    return errorReply(400, {
      error: {
        message: 'model and input are required',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  }
  const inputs = Array.isArray(request.input) ? request.input.map(String) : [String(request.input)];
  const dimensions = Math.min(request.dimensions ?? 16, 64);
  const promptTokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return jsonReply({
    object: 'list',
    data: inputs.map((text, index) => {
      const vector = vectorOf(text, dimensions);
      const embedding =
        request.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    }),
    model: request.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}
