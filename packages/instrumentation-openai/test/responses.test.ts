import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse } from '../../../test/support/mock-server.js';
import { fixture, responseStream, SDKS, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});

const REQUEST = { model: 'gpt-4.1', input: 'Tell me a three sentence bedtime story about a unicorn.' };

describe.each(SDKS)('Responses API ($name)', (sdk) => {
  it('a plain response: one chat span with response attributes and the exact cost', async () => {
    t.server.on('POST', '/v1/responses', json(fixture('response')));
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    const response = await client.responses.create({ ...REQUEST, max_output_tokens: 200, temperature: 0.7 });
    expect(response.output_text).toContain('Lumina');
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.name).toBe('chat gpt-4.1');
    // gpt-4.1 at $2/M input, $8/M output: 36 x 2e-6 = 0.000072; 87 x 8e-6 = 0.000696
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.max_tokens': 200,
      'gen_ai.request.temperature': 0.7,
      'gen_ai.response.id': 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
      'gen_ai.response.model': 'gpt-4.1-2025-04-14',
      'gen_ai.response.finish_reasons': ['completed'],
      'gen_ai.usage.input_tokens': 36,
      'gen_ai.usage.output_tokens': 87,
      'aicost.cost.input': '0.000072000',
      'aicost.cost.output': '0.000696000',
      'aicost.cost.total': '0.000768000',
    });
  });

  it('a streamed response: every event reaches the application; usage comes from response.completed', async () => {
    t.server.on('POST', '/v1/responses', responseStream('response-stream', { splitBytes: 64 }));
    const client = t.client(sdk);
    const stream = await client.responses.create({ ...REQUEST, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(fixture('response-stream').events.map((e: any) => e.event));
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.response.id': 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
      'gen_ai.usage.input_tokens': 36,
      'gen_ai.usage.output_tokens': 87,
    });
    expect(span!.attributes['aicost.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('the responses.stream() helper: finalResponse() works, one span', async () => {
    t.server.on('POST', '/v1/responses', responseStream('response-stream'));
    const client = t.client(sdk);
    const final = await client.responses.stream(REQUEST).finalResponse();
    expect(final.id).toBe('resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b');
    const spans = await t.otel.waitForSpans(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.usage.output_tokens']).toBe(87);
  });

  it('a response.failed event ends the span as an error while the usage is kept', async () => {
    const failed = fixture('response');
    failed.status = 'failed';
    failed.error = { code: 'server_error', message: 'The model failed to generate a response.' };
    const events = [
      {
        event: 'response.created',
        data: {
          type: 'response.created',
          sequence_number: 0,
          response: { ...failed, status: 'in_progress', usage: null },
        },
      },
      { event: 'response.failed', data: { type: 'response.failed', sequence_number: 1, response: failed } },
    ];
    t.server.on('POST', '/v1/responses', sse(events));
    const client = t.client(sdk);
    const stream = await client.responses.create({ ...REQUEST, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.failed']);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('OpenAIResponseFailedError');
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(36);
  });
});
