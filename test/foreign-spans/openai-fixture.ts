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

/**
 * The cost worked out by hand from OpenAI's list prices for gpt-4o-mini
 * ($0.15 input, $0.075 cached input, $0.60 output per million tokens):
 * 176 x 0.15 + 1,024 x 0.075 + 30 x 0.60 = 121.2 micro-dollars.
 */
export const COST_WITH_CACHE = '0.000121200';
/** The same call when the cache split is unknown: 1,200 x 0.15 + 30 x 0.60 = 198 micro-dollars. */
export const COST_WITHOUT_CACHE_SPLIT = '0.000198000';
