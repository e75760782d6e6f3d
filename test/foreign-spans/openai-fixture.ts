import { json, type MockResponse, type RecordedRequest, sseChunks } from '../support/mock-server.js';

/**
 * A chat completion as OpenAI documents it, with prompt caching: 1,200 prompt
 * tokens of which 1,024 were read from the cache, 30 completion tokens.
 */
export const CHAT_COMPLETION_WITH_CACHE = {
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'The capital of France is Paris.',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 1200,
    completion_tokens: 30,
    total_tokens: 1230,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_06737a9306',
};

const CHUNK = {
  id: CHAT_COMPLETION_WITH_CACHE.id,
  object: 'chat.completion.chunk',
  created: 1741570283,
  model: CHAT_COMPLETION_WITH_CACHE.model,
};
/** The same answer streamed, usage in the last chunk (the AI SDK asks for it). */
const CHAT_COMPLETION_WITH_CACHE_CHUNKS = [
  {
    ...CHUNK,
    choices: [
      { index: 0, delta: { role: 'assistant', content: 'The capital of France' }, finish_reason: null },
    ],
  },
  { ...CHUNK, choices: [{ index: 0, delta: { content: ' is Paris.' }, finish_reason: null }] },
  { ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { ...CHUNK, choices: [], usage: CHAT_COMPLETION_WITH_CACHE.usage },
];

/** The chat completions route answering with this completion, streamed when the request asks for a stream. */
export function chatCompletionWithCache(request: RecordedRequest): MockResponse {
  return request.body?.stream === true
    ? sseChunks(CHAT_COMPLETION_WITH_CACHE_CHUNKS, { done: true })
    : json(CHAT_COMPLETION_WITH_CACHE);
}

/**
 * The cost worked out by hand from OpenAI's list prices for gpt-4o-mini
 * ($0.15 input, $0.075 cached input, $0.60 output per million tokens):
 * 176 x 0.15 + 1,024 x 0.075 + 30 x 0.60 = 121.2 micro-dollars.
 */
export const COST_WITH_CACHE = '0.000121200';
/** The same call when the cache split is unknown: 1,200 x 0.15 + 30 x 0.60 = 198 micro-dollars. */
export const COST_WITHOUT_CACHE_SPLIT = '0.000198000';
