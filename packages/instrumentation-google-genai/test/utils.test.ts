import { describe, expect, it } from 'vitest';
import {
  embeddingUsage,
  generationRequestAttributes,
  inputMessages,
  modelId,
  outputMessages,
  StreamAccumulator,
  systemInstructionParts,
} from '../src/utils.js';

describe('modelId', () => {
  it.each([
    ['gemini-2.5-flash', 'gemini-2.5-flash'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['projects/p-1/locations/us-central1/publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['tunedModels/1234567890', 'tunedModels/1234567890'],
    ['meta/llama-3.1-405b-instruct-maas', 'meta/llama-3.1-405b-instruct-maas'],
  ])('%s -> %s', (reference, id) => {
    expect(modelId(reference)).toBe(id);
  });

  it('is undefined for a missing model', () => {
    expect(modelId(undefined)).toBeUndefined();
    expect(modelId('')).toBeUndefined();
  });
});

describe('generationRequestAttributes', () => {
  it('maps Google config names to the semconv ones and ignores what is not a number', () => {
    expect(
      generationRequestAttributes({
        temperature: 0,
        maxOutputTokens: 100,
        presencePenalty: 0.5,
        frequencyPenalty: Number.NaN,
        responseMimeType: 'application/json',
      }),
    ).toEqual({
      'gen_ai.request.temperature': 0,
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.presence_penalty': 0.5,
      'gen_ai.output.type': 'json',
    });
    expect(generationRequestAttributes(undefined)).toEqual({});
  });
});

describe('embeddingUsage', () => {
  it('sums the per-embedding token counts Vertex AI reports when there is no usageMetadata', () => {
    expect(
      embeddingUsage({ embeddings: [{ statistics: { tokenCount: 5 } }, { statistics: { tokenCount: 7 } }] }),
    ).toMatchObject({ inputTokens: 12, outputTokens: 0 });
  });

  it('is undefined when the response reports no tokens at all (the call stays unpriced)', () => {
    expect(embeddingUsage({ embeddings: [{}, {}] })).toBeUndefined();
  });
});

describe('content in the semconv shape', () => {
  it('turns strings and parts into one user turn, and Contents into turns of their own', () => {
    expect(inputMessages('hi')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(inputMessages(['a', { text: 'b' }])).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'a' },
          { type: 'text', content: 'b' },
        ],
      },
    ]);
    expect(
      inputMessages([
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        {
          role: 'model',
          parts: [{ functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'c1', name: 'get_weather', response: { t: 21 } } }],
        },
      ]),
    ).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'c1', response: { t: 21 } }] },
    ]);
  });

  it('never copies inline binary data', () => {
    const [message] = inputMessages([{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }]);
    expect(message?.parts).toEqual([{ type: 'blob', mime_type: 'image/png' }]);
  });

  it('reads system instructions given as a string or a Content', () => {
    expect(systemInstructionParts('Be brief.')).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(systemInstructionParts({ parts: [{ text: 'Be brief.' }] })).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
  });

  it('names thoughts as reasoning and maps finish reasons to the semconv ones', () => {
    expect(
      outputMessages({
        candidates: [
          {
            content: { parts: [{ text: 'hmm', thought: true }, { text: 'Yes.' }] },
            finishReason: 'MAX_TOKENS',
          },
        ],
      }),
    ).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'hmm' },
          { type: 'text', content: 'Yes.' },
        ],
        finish_reason: 'length',
      },
    ]);
  });
});

describe('StreamAccumulator', () => {
  it('keeps the last usage, model and id, and joins streamed text per candidate', () => {
    const seen = new StreamAccumulator(true);
    seen.add({
      candidates: [{ content: { parts: [{ text: 'Hel' }] } }],
      usageMetadata: { promptTokenCount: 3 },
      modelVersion: 'gemini-2.5-flash',
    });
    seen.add({
      candidates: [{ content: { parts: [{ text: 'lo' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
      responseId: 'r1',
    });

    expect(seen.response()).toEqual({
      modelVersion: 'gemini-2.5-flash',
      responseId: 'r1',
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
      candidates: [
        { index: 0, finishReason: 'STOP', content: { role: 'model', parts: [{ text: 'Hello' }] } },
      ],
    });
  });

  it('keeps no content when content capture is off', () => {
    const seen = new StreamAccumulator(false);
    seen.add({ candidates: [{ content: { parts: [{ text: 'secret' }] } }] });
    expect(JSON.stringify(seen.response())).not.toContain('secret');
  });
});
