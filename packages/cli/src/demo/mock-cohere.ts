/**
 * Cohere v2 wire format for the demo: `POST /v2/chat` (JSON, or SSE events
 * `message-start` ... `message-end` when `stream` is set) and `POST /v2/embed`.
 * Cohere bills `billed_units`; `tokens` also counts the tokens of its own
 * preamble, which are not billed (the demo adds a fixed 200).
 */
import { errorReply, jsonReply, type MockReply, type SseEvent } from './reply.js';
import { countTokens, deltas, outputTokens, replyText, seedOf, textsOf } from './text.js';

const UNBILLED_PREAMBLE_TOKENS = 200;

interface CohereChatRequest {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  stream?: boolean;
  max_tokens?: number;
}

function uuidOf(seed: number): string {
  const hex = seed.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}

export function cohereChat(body: unknown): MockReply {
  const request = (body ?? {}) as CohereChatRequest;
  if (!request.model || !Array.isArray(request.messages)) {
    return errorReply(400, { message: 'model and messages are required' });
  }
  const prompt = request.messages.flatMap((m) => textsOf(m.content)).join('\n');
  const seed = seedOf(prompt);
  const input = countTokens(prompt);
  const output = outputTokens(seed, request.max_tokens);
  const usage = {
    billed_units: { input_tokens: input, output_tokens: output },
    tokens: { input_tokens: input + UNBILLED_PREAMBLE_TOKENS, output_tokens: output },
  };
  const id = uuidOf(seed);
  const text = replyText(seed, output);
  if (!request.stream) {
    return jsonReply({
      id,
      finish_reason: 'COMPLETE',
      message: { role: 'assistant', content: [{ type: 'text', text }] },
      usage,
    });
  }
  const event = (name: string, data: Record<string, unknown>): SseEvent => ({
    event: name,
    data: JSON.stringify({ type: name, ...data }),
  });
  const events: SseEvent[] = [
    event('message-start', {
      id,
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    }),
    event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
  ];
  for (const piece of deltas(text)) {
    events.push(event('content-delta', { index: 0, delta: { message: { content: { text: piece } } } }));
  }
  events.push(event('content-end', { index: 0 }));
  events.push(event('message-end', { delta: { finish_reason: 'COMPLETE', usage } }));
  return { kind: 'sse', events };
}

interface CohereEmbedRequest {
  model?: string;
  texts?: string[];
  inputs?: unknown[];
  embedding_types?: string[];
}

export function cohereEmbed(body: unknown): MockReply {
  const request = (body ?? {}) as CohereEmbedRequest;
  const texts = request.texts ?? request.inputs?.flatMap(textsOf) ?? [];
  if (!request.model || texts.length === 0) {
    return errorReply(400, { message: 'model and texts are required' });
  }
  const vector = (text: string) => {
    const seed = seedOf(text);
    return Array.from({ length: 8 }, (_, i) => Math.round(Math.sin(seed + i) * 1e6) / 1e6);
  };
  return jsonReply({
    id: uuidOf(seedOf(texts.join('\n'))),
    embeddings: { float: texts.map(vector) },
    texts,
    meta: {
      api_version: { version: '2' },
      billed_units: { input_tokens: texts.reduce((sum, text) => sum + countTokens(text), 0) },
    },
    response_type: 'embeddings_by_type',
  });
}
