/**
 * Mistral chat wire format for the demo (`POST /v1/chat/completions` with a
 * Mistral model): OpenAI-like, but every stream ends with a chunk that carries
 * the usage (no opt-in), and there is no prompt caching.
 */
import { errorReply, jsonReply, type MockReply, type SseEvent } from './reply.js';
import { countTokens, deltas, outputTokens, replyText, seedOf, textsOf } from './text.js';

/** Model ids Mistral serves; the router sends these to Mistral's format instead of OpenAI's. */
export const MISTRAL_MODEL =
  /^(mistral|open-mistral|open-mixtral|codestral|ministral|magistral|pixtral|devstral)/;

const CREATED = 1_767_225_600;

interface MistralRequest {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  stream?: boolean;
  max_tokens?: number;
}

export function mistralChat(body: unknown): MockReply {
  const request = (body ?? {}) as MistralRequest;
  if (!request.model || !Array.isArray(request.messages)) {
    return errorReply(422, {
      object: 'error',
      message: 'model and messages are required',
      type: 'invalid_request_error',
    });
  }
  const prompt = request.messages.flatMap((m) => textsOf(m.content)).join('\n');
  const seed = seedOf(prompt);
  const promptTokens = countTokens(prompt) + 4 * request.messages.length;
  const completionTokens = outputTokens(seed, request.max_tokens);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = `cmpl-demo${seed.toString(16)}`;
  const text = replyText(seed, completionTokens);
  if (!request.stream) {
    return jsonReply({
      id,
      object: 'chat.completion',
      model: request.model,
      usage,
      created: CREATED,
      choices: [
        {
          index: 0,
          message: { content: text, tool_calls: null, prefix: false, role: 'assistant' },
          finish_reason: 'stop',
        },
      ],
    });
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, withUsage = false) => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: CREATED,
      model: request.model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
      ...(withUsage ? { usage } : {}),
    }),
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' }, null)];
  for (const piece of deltas(text)) events.push(chunk({ content: piece }, null));
  events.push(chunk({ content: '' }, 'stop', true));
  events.push({ data: '[DONE]' });
  return { kind: 'sse', events };
}
