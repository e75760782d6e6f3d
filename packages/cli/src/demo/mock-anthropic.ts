/**
 * Anthropic Messages wire format for the demo: `POST /v1/messages`, JSON or
 * the named SSE events (`message_start` ... `message_stop`).
 *
 * Prompt caching follows the API: the prefix up to the last system block with
 * `cache_control` is read from the cache (`cache_read_input_tokens`) or, for
 * about one request in five (cache expired, chosen by the prompt's hash),
 * written to it (`cache_creation_input_tokens`); `input_tokens` is the rest.
 */
import { errorReply, jsonReply, type MockReply, type SseEvent } from './reply.js';
import { countTokens, deltas, outputTokens, replyText, seedOf, textsOf } from './text.js';

const SNAPSHOTS: Record<string, string> = {
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
};

interface SystemBlock {
  type?: string;
  text?: string;
  cache_control?: unknown;
}

interface MessagesRequest {
  model?: string;
  max_tokens?: number;
  system?: string | SystemBlock[];
  messages?: { role?: string; content?: unknown }[];
  stream?: boolean;
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard';
}

export function messagesUsage(request: MessagesRequest): { usage: AnthropicUsage; seed: number } {
  const blocks: SystemBlock[] =
    typeof request.system === 'string' ? [{ type: 'text', text: request.system }] : (request.system ?? []);
  const messageText = (request.messages ?? []).flatMap((m) => textsOf(m.content)).join('\n');
  const lastCached = blocks.findLastIndex((block) => block.cache_control !== undefined);
  const prefixTokens = countTokens(
    blocks
      .slice(0, lastCached + 1)
      .map((b) => b.text ?? '')
      .join('\n'),
  );
  const cacheable = lastCached >= 0 && prefixTokens >= 1024 ? prefixTokens : 0;
  const restOfSystem = blocks
    .slice(cacheable ? lastCached + 1 : 0)
    .map((b) => b.text ?? '')
    .join('\n');
  const seed = seedOf(`${messageText}\n${restOfSystem}`);
  const written = cacheable && seed % 5 === 0 ? cacheable : 0;
  const read = cacheable - written;
  const input = countTokens(restOfSystem) + countTokens(messageText) + 3 * (request.messages?.length ?? 0);
  return {
    seed,
    usage: {
      input_tokens: input,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: read,
      cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 },
      output_tokens: outputTokens(seed, request.max_tokens),
      service_tier: 'standard',
    },
  };
}

export function anthropicMessages(body: unknown): MockReply {
  const request = (body ?? {}) as MessagesRequest;
  if (!request.model || !Array.isArray(request.messages) || !request.max_tokens) {
    return errorReply(400, {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'model, messages and max_tokens are required' },
    });
  }
  const { usage, seed } = messagesUsage(request);
  const model = SNAPSHOTS[request.model] ?? request.model;
  const id = `msg_demo${seed.toString(16).padStart(8, '0')}`;
  const text = replyText(seed, usage.output_tokens);
  if (!request.stream) {
    return jsonReply({
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    });
  }
  const event = (name: string, data: Record<string, unknown>): SseEvent => ({
    event: name,
    data: JSON.stringify({ type: name, ...data }),
  });
  const events: SseEvent[] = [
    event('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (const piece of deltas(text)) {
    events.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }));
  }
  events.push(event('content_block_stop', { index: 0 }));
  events.push(
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    }),
  );
  events.push(event('message_stop', {}));
  return { kind: 'sse', events };
}
