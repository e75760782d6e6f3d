/**
 * What the loopback provider answers in the end-to-end tests: responses shaped
 * like the providers' documented examples, with the token usage the expected
 * costs are derived from (see `CALLS` in app-to-report.test.ts).
 */
import { json, type MockServer, type RecordedRequest, sse, sseChunks } from '../support/mock-server.js';

const CREATED = 1_767_225_600;

function chatCompletion(model: string, usage: Record<string, unknown>) {
  return {
    id: 'chatcmpl-e2e',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Done.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage,
  };
}

function chatChunk(delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: 'chatcmpl-e2e-stream',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  };
}

function openaiChat(request: RecordedRequest) {
  if (request.body.model === 'acme-finetune-7b') {
    return json(
      chatCompletion('acme-finetune-7b', { prompt_tokens: 500, completion_tokens: 50, total_tokens: 550 }),
    );
  }
  if (request.body.stream) {
    return sseChunks([
      chatChunk({ role: 'assistant', content: '' }, null),
      chatChunk({ content: 'Hello' }, null),
      chatChunk({ content: ' there.' }, null),
      chatChunk({}, 'stop'),
      {
        ...chatChunk({}, null),
        choices: [],
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 200,
          total_tokens: 1200,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
        },
      },
    ]);
  }
  return json(
    chatCompletion('gpt-4o-mini-2024-07-18', {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    }),
  );
}

function embeddings() {
  const vector = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');
  return json({
    object: 'list',
    data: [
      { object: 'embedding', index: 0, embedding: vector([0.1, -0.2, 0.3]) },
      { object: 'embedding', index: 1, embedding: vector([0.4, 0.5, -0.6]) },
    ],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 12000, total_tokens: 12000 },
  });
}

function anthropicMessage(usage: Record<string, unknown>) {
  return {
    id: 'msg_e2e',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5-20251001',
    content: [{ type: 'text', text: 'Done.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { service_tier: 'standard', ...usage },
  };
}

function anthropicMessages(request: RecordedRequest) {
  const prompt = request.body.messages[0].content as string;
  if (prompt === 'cache write') {
    return json(
      anthropicMessage({
        input_tokens: 20,
        cache_creation_input_tokens: 2000,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 },
        output_tokens: 100,
      }),
    );
  }
  if (request.body.stream) {
    const usage = { input_tokens: 1000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const event = (name: string, data: Record<string, unknown>) => ({
      event: name,
      data: { type: name, ...data },
    });
    return sse([
      event('message_start', {
        message: { ...anthropicMessage({ ...usage, output_tokens: 1 }), content: [], stop_reason: null },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Done.' } }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { ...usage, output_tokens: 500 },
      }),
      event('message_stop', {}),
    ]);
  }
  return json(
    anthropicMessage({
      input_tokens: 50,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 8000,
      output_tokens: 120,
    }),
  );
}

function geminiResponse(model: string, text: string, usage?: Record<string, unknown>) {
  return {
    candidates: [
      { content: { parts: [{ text }], role: 'model' }, ...(usage ? { finishReason: 'STOP' } : {}), index: 0 },
    ],
    ...(usage ? { usageMetadata: usage } : {}),
    modelVersion: model,
    responseId: `e2e-${model}`,
  };
}

/** Routes every call of fixtures/calls.cjs. */
export function scriptProviders(server: MockServer): void {
  server.on('POST', '/v1/chat/completions', openaiChat);
  server.on('POST', '/v1/embeddings', embeddings());
  server.on('POST', '/v1/messages', anthropicMessages);
  server.on(
    'POST',
    /\/models\/gemini-2\.5-flash:generateContent/,
    json(
      geminiResponse('gemini-2.5-flash', 'A summary.', {
        promptTokenCount: 12000,
        candidatesTokenCount: 300,
        cachedContentTokenCount: 8000,
        thoughtsTokenCount: 700,
        totalTokenCount: 13000,
      }),
    ),
  );
  server.on(
    'POST',
    /\/models\/gemini-2\.0-flash:streamGenerateContent/,
    sseChunks(
      [
        geminiResponse('gemini-2.0-flash', 'A short'),
        geminiResponse('gemini-2.0-flash', ' summary.', {
          promptTokenCount: 1000,
          candidatesTokenCount: 100,
          totalTokenCount: 1100,
        }),
      ],
      { done: false },
    ),
  );
}
