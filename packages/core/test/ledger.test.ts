import { describe, expect, it } from 'vitest';
import {
  isInvalidUsage,
  readForeignUsage,
  usageFromAnthropic,
  usageFromAttributes,
  usageFromBedrockConverse,
  usageFromBedrockHeaders,
  usageFromBedrockInvocationMetrics,
  usageFromBedrockInvokeModel,
  usageFromCohere,
  usageFromGemini,
  usageFromMistral,
  usageFromOllama,
  usageFromOpenAIChat,
  usageFromOpenAIResponses,
  usageToAttributes,
  validateUsage,
} from '../src/ledger/index.js';
import type { TokenUsage } from '../src/types.js';

/** A ledger with the defaults a converter fills in. */
const ledger = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

describe('ledger: OpenAI Chat Completions', () => {
  it('keeps cached and audio tokens inside prompt_tokens (no double counting)', () => {
    const usage = usageFromOpenAIChat({
      prompt_tokens: 2000,
      completion_tokens: 500,
      total_tokens: 2500,
      prompt_tokens_details: { cached_tokens: 1200, audio_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 300, audio_tokens: 50, accepted_prediction_tokens: 0 },
    });
    expect(usage).toEqual(
      ledger({
        inputTokens: 2000,
        outputTokens: 500,
        cacheReadTokens: 1200,
        reasoningTokens: 300,
        inputAudioTokens: 100,
        outputAudioTokens: 50,
      }),
    );
  });

  it('reads the SDK null details of embeddings and simple calls', () => {
    expect(usageFromOpenAIChat({ prompt_tokens: 8, total_tokens: 8 })).toEqual(ledger({ inputTokens: 8 }));
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 10,
        completion_tokens: 3,
        prompt_tokens_details: null,
        completion_tokens_details: null,
      }),
    ).toEqual(ledger({ inputTokens: 10, outputTokens: 3 }));
  });

  it('settles DeepSeek cache hits and hosts that leave reasoning out of completion_tokens', () => {
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 1000,
        completion_tokens: 50,
        prompt_cache_hit_tokens: 800,
        prompt_cache_miss_tokens: 200,
      }),
    ).toEqual(ledger({ inputTokens: 1000, outputTokens: 50, cacheReadTokens: 800 }));
    // xAI: total = prompt + completion + reasoning, so reasoning was not in completion.
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 200,
        completion_tokens_details: { reasoning_tokens: 80 },
      }),
    ).toEqual(ledger({ inputTokens: 100, outputTokens: 100, reasoningTokens: 80 }));
  });

  it('reads cache writes of OpenAI-compatible hosts, counted inside prompt_tokens (OpenRouter, LiteLLM)', () => {
    // OpenRouter serving an Anthropic model: 3,000 prompt tokens of which 2,000 read and 500 written.
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 3000,
        completion_tokens: 100,
        prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 500 },
      }),
    ).toEqual(ledger({ inputTokens: 3000, outputTokens: 100, cacheReadTokens: 2000, cacheWriteTokens: 500 }));
    // LiteLLM: the Anthropic names beside prompt_tokens.
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 3000,
        completion_tokens: 100,
        cache_read_input_tokens: 2000,
        cache_creation_input_tokens: 500,
      }),
    ).toEqual(ledger({ inputTokens: 3000, outputTokens: 100, cacheReadTokens: 2000, cacheWriteTokens: 500 }));
    // A host that counted them outside prompt_tokens gives itself away: 2,500 cache tokens > 500 prompt tokens.
    expect(
      usageFromOpenAIChat({
        prompt_tokens: 500,
        cache_read_input_tokens: 2000,
        cache_creation_input_tokens: 500,
      }),
    ).toEqual(ledger({ inputTokens: 3000, cacheReadTokens: 2000, cacheWriteTokens: 500 }));
  });
});

describe('ledger: OpenAI Responses', () => {
  it('keeps cached tokens inside input_tokens and reasoning inside output_tokens', () => {
    expect(
      usageFromOpenAIResponses({
        input_tokens: 3000,
        input_tokens_details: { cached_tokens: 2048 },
        output_tokens: 900,
        output_tokens_details: { reasoning_tokens: 700 },
        total_tokens: 3900,
      }),
    ).toEqual(ledger({ inputTokens: 3000, cacheReadTokens: 2048, outputTokens: 900, reasoningTokens: 700 }));
  });
});

describe('ledger: Anthropic', () => {
  it('adds cache reads and writes to the cache-exclusive input_tokens', () => {
    const usage = usageFromAnthropic({
      input_tokens: 50,
      cache_read_input_tokens: 8000,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 100 },
      output_tokens: 40,
      server_tool_use: null,
      service_tier: 'standard',
    });
    expect(usage).toEqual(
      ledger({
        inputTokens: 8350,
        outputTokens: 40,
        cacheReadTokens: 8000,
        cacheWriteTokens: 300,
        cacheWrite5mTokens: 200,
        cacheWrite1hTokens: 100,
      }),
    );
  });

  it('sums the TTL split when the total is absent, and rejects a split larger than the total', () => {
    expect(
      usageFromAnthropic({
        input_tokens: 10,
        cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
        output_tokens: 1,
      }),
    ).toMatchObject({
      inputTokens: 60,
      cacheWriteTokens: 50,
      cacheWrite5mTokens: 30,
      cacheWrite1hTokens: 20,
    });
    const invalid = usageFromAnthropic({
      input_tokens: 10,
      cache_creation_input_tokens: 40,
      cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
      output_tokens: 1,
    });
    expect(isInvalidUsage(invalid)).toBe(true);
  });
});

describe('ledger: Gemini', () => {
  it('adds thoughts to output and tool-use prompt tokens to input; cached stays inside the prompt', () => {
    const usage = usageFromGemini({
      promptTokenCount: 1000,
      cachedContentTokenCount: 600,
      toolUsePromptTokenCount: 50,
      candidatesTokenCount: 200,
      thoughtsTokenCount: 300,
      totalTokenCount: 1550,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 900 },
        { modality: 'AUDIO', tokenCount: 100 },
      ],
      candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 200 }],
    });
    expect(usage).toEqual(
      ledger({
        inputTokens: 1050,
        outputTokens: 500,
        cacheReadTokens: 600,
        reasoningTokens: 300,
        inputAudioTokens: 100,
      }),
    );
  });
});

describe('ledger: Bedrock', () => {
  it('Converse: adds cache read and write to the cache-exclusive inputTokens, with the TTL split', () => {
    expect(
      usageFromBedrockConverse({
        inputTokens: 100,
        outputTokens: 30,
        totalTokens: 830,
        cacheReadInputTokens: 500,
        cacheWriteInputTokens: 200,
        cacheDetails: [
          { ttl: '5m', inputTokens: 150 },
          { ttl: '1h', inputTokens: 50 },
        ],
      }),
    ).toEqual(
      ledger({
        inputTokens: 800,
        outputTokens: 30,
        cacheReadTokens: 500,
        cacheWriteTokens: 200,
        cacheWrite5mTokens: 150,
        cacheWrite1hTokens: 50,
      }),
    );
  });

  it('InvokeModel: reads each model family body', () => {
    expect(
      usageFromBedrockInvokeModel('us.anthropic.claude-3-7-sonnet-20250219-v1:0', {
        usage: {
          input_tokens: 20,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 30,
          output_tokens: 5,
        },
      }),
    ).toMatchObject({ inputTokens: 150, cacheReadTokens: 100, cacheWriteTokens: 30, outputTokens: 5 });
    expect(
      usageFromBedrockInvokeModel('meta.llama3-1-70b-instruct-v1:0', {
        generation: 'hi',
        prompt_token_count: 17,
        generation_token_count: 9,
        stop_reason: 'stop',
      }),
    ).toEqual(ledger({ inputTokens: 17, outputTokens: 9 }));
    expect(
      usageFromBedrockInvokeModel('amazon.nova-pro-v1:0', {
        usage: {
          inputTokens: 40,
          outputTokens: 8,
          cacheReadInputTokenCount: 60,
          cacheWriteInputTokenCount: 10,
        },
      }),
    ).toEqual(ledger({ inputTokens: 110, outputTokens: 8, cacheReadTokens: 60, cacheWriteTokens: 10 }));
    expect(
      usageFromBedrockInvokeModel('amazon.titan-text-express-v1', {
        inputTextTokenCount: 12,
        results: [{ tokenCount: 7, outputText: 'x' }],
      }),
    ).toEqual(ledger({ inputTokens: 12, outputTokens: 7 }));
    expect(
      usageFromBedrockInvokeModel('mistral.mistral-large-2407-v1:0', {
        choices: [],
        usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
      }),
    ).toEqual(ledger({ inputTokens: 11, outputTokens: 4 }));
    expect(
      usageFromBedrockInvokeModel('cohere.command-r-plus-v1:0', {
        text: 'x',
        meta: { billed_units: { input_tokens: 25, output_tokens: 6 } },
      }),
    ).toEqual(ledger({ inputTokens: 25, outputTokens: 6 }));
  });

  it('InvokeModel: falls back to the token-count headers (cache-exclusive input)', () => {
    const headers = {
      'X-Amzn-Bedrock-Input-Token-Count': '10',
      'X-Amzn-Bedrock-Output-Token-Count': '3',
      'X-Amzn-Bedrock-Cache-Read-Input-Token-Count': '90',
      'X-Amzn-Bedrock-Cache-Write-Input-Token-Count': '40',
    };
    const expected = ledger({ inputTokens: 140, outputTokens: 3, cacheReadTokens: 90, cacheWriteTokens: 40 });
    expect(usageFromBedrockInvokeModel('cohere.embed-english-v3', { embeddings: [] }, headers)).toEqual(
      expected,
    );
    expect(usageFromBedrockHeaders(new Headers(headers))).toEqual(expected);
    expect(usageFromBedrockHeaders({})).toBeUndefined();
  });

  it('streams: reads the invocation metrics of the last chunk', () => {
    expect(
      usageFromBedrockInvocationMetrics({
        inputTokenCount: 10,
        outputTokenCount: 2,
        invocationLatency: 500,
        firstByteLatency: 100,
        cacheReadInputTokenCount: 30,
        cacheWriteInputTokenCount: 5,
      }),
    ).toEqual(ledger({ inputTokens: 45, outputTokens: 2, cacheReadTokens: 30, cacheWriteTokens: 5 }));
  });
});

describe('ledger: Mistral and Cohere', () => {
  it('Mistral: reads the SDK camelCase and the raw snake_case, cached inside the prompt', () => {
    const expected = ledger({
      inputTokens: 500,
      outputTokens: 60,
      cacheReadTokens: 320,
      reasoningTokens: 20,
    });
    expect(
      usageFromMistral({
        promptTokens: 500,
        completionTokens: 60,
        totalTokens: 560,
        promptTokensDetails: { cachedTokens: 320, audioTokens: 0 },
        completionTokensDetails: { reasoningTokens: 20 },
      }),
    ).toEqual({ ...expected, inputAudioTokens: 0 });
    expect(
      usageFromMistral({
        prompt_tokens: 500,
        completion_tokens: 60,
        total_tokens: 560,
        num_cached_tokens: 320,
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toEqual(expected);
  });

  it('Cohere v2: prices the billed units, not the raw tokens', () => {
    expect(
      usageFromCohere({
        billed_units: { input_tokens: 120, output_tokens: 30 },
        tokens: { input_tokens: 980, output_tokens: 31 },
        cached_tokens: 64,
      }),
    ).toEqual(ledger({ inputTokens: 120, outputTokens: 30, cacheReadTokens: 64 }));
    expect(usageFromCohere({ tokens: { inputTokens: 980, outputTokens: 31 } })).toEqual(
      ledger({ inputTokens: 980, outputTokens: 31 }),
    );
  });
});

describe('ledger: invalid usage is a typed result, never an exception', () => {
  const cases: [string, unknown][] = [
    ['negative', -1],
    ['NaN', Number.NaN],
    ['fractional', 1.5],
    ['absurd', 2e12],
    ['not a number', 'many'],
    ['infinite', Number.POSITIVE_INFINITY],
  ];
  for (const [name, value] of cases) {
    it(`rejects a ${name} count and names the field`, () => {
      const usage = usageFromOpenAIChat({ prompt_tokens: value, completion_tokens: 1 });
      expect(isInvalidUsage(usage)).toBe(true);
      expect(usage).toMatchObject({ field: 'usage.prompt_tokens' });
    });
  }

  it('reads Ollama counts beside the response, a count Go omitted (omitempty) being 0', () => {
    // The last object of an /api/chat stream (github.com/ollama/ollama docs/api.md).
    expect(
      usageFromOllama({ done: true, done_reason: 'stop', prompt_eval_count: 26, eval_count: 298 }),
    ).toEqual(ledger({ inputTokens: 26, outputTokens: 298 }));
    // A prompt served wholly from the KV cache has no prompt_eval_count.
    expect(usageFromOllama({ done: true, eval_count: 12 })).toEqual(ledger({ outputTokens: 12 }));
    // /api/embed reports input only.
    expect(usageFromOllama({ embeddings: [[0.1]], prompt_eval_count: 8 })).toEqual(
      ledger({ inputTokens: 8 }),
    );
    // A chunk before the last reports nothing: no usage rather than zero.
    expect(usageFromOllama({ done: false, message: { content: 'The' } })).toBeUndefined();
    expect(usageFromOllama({ done: true, prompt_eval_count: -1, eval_count: 3 })).toMatchObject({
      field: 'prompt_eval_count',
    });
  });

  it('returns undefined for no usage at all, whatever the input', () => {
    for (const input of [undefined, null, 'text', 42, [1, 2]]) {
      expect(usageFromOpenAIChat(input)).toBeUndefined();
      expect(usageFromAnthropic(input)).toBeUndefined();
      expect(usageFromGemini(input)).toBeUndefined();
      expect(usageFromBedrockConverse(input)).toBeUndefined();
      expect(usageFromCohere(input)).toBeUndefined();
      expect(usageFromOllama(input)).toBeUndefined();
    }
  });

  it('validates ledgers built by hand', () => {
    expect(validateUsage(ledger({ inputTokens: 10, outputTokens: 2 }))).toEqual(
      ledger({ inputTokens: 10, outputTokens: 2 }),
    );
    expect(
      isInvalidUsage(validateUsage(ledger({ inputTokens: 10, reasoningTokens: 3, outputTokens: 2 }))),
    ).toBe(true);
    expect(isInvalidUsage(validateUsage(ledger({ inputTokens: 10.5 })))).toBe(true);
  });
});

describe('ledger: span attributes', () => {
  it('writes the ledger under the semconv and aicost names and reads it back', () => {
    const usage = ledger({
      inputTokens: 8350,
      outputTokens: 40,
      cacheReadTokens: 8000,
      cacheWriteTokens: 300,
      cacheWrite5mTokens: 200,
      cacheWrite1hTokens: 100,
      reasoningTokens: 10,
      inputAudioTokens: 5,
    });
    const attributes = usageToAttributes(usage);
    expect(attributes).toEqual({
      'gen_ai.usage.input_tokens': 8350,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'gen_ai.usage.reasoning.output_tokens': 10,
      'aicost.usage.cache_creation_5m.input_tokens': 200,
      'aicost.usage.cache_creation_1h.input_tokens': 100,
      'aicost.usage.audio.input_tokens': 5,
    });
    expect(usageFromAttributes(attributes)).toEqual(usage);
    // Values that went through a backend come back as strings.
    const asStrings = Object.fromEntries(
      Object.entries(attributes).map(([key, value]) => [key, String(value)]),
    );
    expect(usageFromAttributes(asStrings)).toEqual(usage);
  });

  it('writes nothing for missing or invalid usage', () => {
    expect(usageToAttributes(undefined)).toEqual({});
    expect(usageToAttributes(usageFromOpenAIChat({ prompt_tokens: -5 }))).toEqual({});
    expect(usageFromAttributes({ 'gen_ai.request.model': 'x' })).toBeUndefined();
  });
});

describe('ledger: other instrumentations', () => {
  it('OpenTelemetry contrib (semconv gen_ai.usage.*): input includes the cache', () => {
    expect(
      readForeignUsage({
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.usage.cache_read.input_tokens': 400,
        'gen_ai.usage.cache_creation.input_tokens': 100,
        'gen_ai.usage.reasoning.output_tokens': 5,
      }),
    ).toEqual({
      source: 'opentelemetry',
      usage: ledger({
        inputTokens: 1000,
        outputTokens: 20,
        cacheReadTokens: 400,
        cacheWriteTokens: 100,
        reasoningTokens: 5,
      }),
    });
  });

  it('OpenLLMetry: deprecated prompt/completion names and its own cache names', () => {
    expect(
      readForeignUsage({
        'gen_ai.usage.prompt_tokens': 1200,
        'gen_ai.usage.completion_tokens': 80,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'gen_ai.usage.cache_creation_input_tokens': 150,
        'llm.usage.total_tokens': 1280,
      }),
    ).toEqual({
      source: 'openllmetry',
      usage: ledger({ inputTokens: 1200, outputTokens: 80, cacheReadTokens: 1000, cacheWriteTokens: 150 }),
    });
  });

  it('an Anthropic span whose input excluded the cache (cache > input) is not undercounted', () => {
    expect(
      readForeignUsage({
        'gen_ai.system': 'anthropic',
        'gen_ai.usage.input_tokens': 50,
        'gen_ai.usage.output_tokens': 10,
        'gen_ai.usage.cache_read_input_tokens': 8000,
        'gen_ai.usage.cache_creation_input_tokens': 0,
      })?.usage,
    ).toEqual(ledger({ inputTokens: 8050, outputTokens: 10, cacheReadTokens: 8000 }));
  });

  it('OpenInference llm.token_count.*', () => {
    expect(
      readForeignUsage({
        'llm.token_count.prompt': 900,
        'llm.token_count.completion': 100,
        'llm.token_count.total': 1000,
        'llm.token_count.prompt_details.cache_read': 300,
        'llm.token_count.prompt_details.cache_write': 200,
        'llm.token_count.prompt_details.audio': 10,
        'llm.token_count.completion_details.reasoning': 40,
      }),
    ).toEqual({
      source: 'openinference',
      usage: ledger({
        inputTokens: 900,
        outputTokens: 100,
        cacheReadTokens: 300,
        cacheWriteTokens: 200,
        reasoningTokens: 40,
        inputAudioTokens: 10,
      }),
    });
  });

  it('Vercel AI SDK: v4 names, v5 names, v6 cache-inclusive details', () => {
    expect(
      readForeignUsage({
        'ai.usage.promptTokens': 30,
        'ai.usage.completionTokens': 7,
        'ai.model.provider': 'openai.chat',
      }),
    ).toEqual({ source: 'vercel-ai', usage: ledger({ inputTokens: 30, outputTokens: 7 }) });
    expect(
      readForeignUsage({
        'ai.usage.inputTokens': 500,
        'ai.usage.outputTokens': 60,
        'ai.usage.cachedInputTokens': 200,
        'ai.usage.reasoningTokens': 20,
        'ai.usage.totalTokens': 560,
      })?.usage,
    ).toEqual(ledger({ inputTokens: 500, outputTokens: 60, cacheReadTokens: 200, reasoningTokens: 20 }));
    expect(
      readForeignUsage({
        'ai.usage.inputTokens': 1300,
        'ai.usage.inputTokenDetails.noCacheTokens': 100,
        'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 200,
        'ai.usage.outputTokens': 90,
        'ai.usage.outputTokenDetails.reasoningTokens': 30,
        'ai.usage.cachedInputTokens': 1000,
        'ai.usage.totalTokens': 1390,
      })?.usage,
    ).toEqual(
      ledger({
        inputTokens: 1300,
        outputTokens: 90,
        cacheReadTokens: 1000,
        cacheWriteTokens: 200,
        reasoningTokens: 30,
      }),
    );
  });

  it('our own spans are read back as aicost', () => {
    const attributes = {
      ...usageToAttributes(ledger({ inputTokens: 3, outputTokens: 4 })),
      'aicost.usage.source': 'aicost',
    };
    expect(readForeignUsage(attributes)).toEqual({
      source: 'aicost',
      usage: ledger({ inputTokens: 3, outputTokens: 4 }),
    });
    expect(readForeignUsage({ 'http.method': 'GET' })).toBeUndefined();
  });
});
