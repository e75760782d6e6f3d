/**
 * The OpenAI chat completion shape shared by Groq, OpenRouter and other compatible SDKs: message
 * parts and streamed choice deltas, in the wire's snake_case and in SDK camelCase alike.
 */
import { describe, expect, it } from 'vitest';
import {
  ChatChoiceDeltas,
  chatFinishReason,
  chatMessageParts,
} from '../../src/instrumentation/chat-choices.js';

describe('chatMessageParts', () => {
  it('reads reasoning, text (a string or text parts) and tool calls in either spelling', () => {
    const toolCall = {
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"q":1}' },
    };
    const expected = [
      { type: 'reasoning', content: 'Thinking.' },
      { type: 'text', content: 'Hello!' },
      { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"q":1}' },
    ];
    expect(chatMessageParts({ reasoning: 'Thinking.', content: 'Hello!', tool_calls: [toolCall] })).toEqual(
      expected,
    );
    expect(
      chatMessageParts({
        reasoning: 'Thinking.',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'text', text: '!' },
        ],
        toolCalls: [toolCall],
      }),
    ).toEqual(expected);
    expect(chatMessageParts(undefined)).toEqual([]);
    expect(chatFinishReason({ finishReason: 'stop' })).toBe('stop');
    expect(chatFinishReason({ finish_reason: null })).toBeUndefined();
  });
});

describe('ChatChoiceDeltas', () => {
  it('joins text and tool-call arguments sent in pieces, per choice, with the finish reasons', () => {
    const deltas = new ChatChoiceDeltas(true);
    expect(deltas.add([{ index: 0, delta: { role: 'assistant', content: 'Hel' } }])).toBe(true);
    deltas.add([
      { index: 0, delta: { content: 'lo' } },
      { index: 1, delta: { content: 'Hi' } },
    ]);
    deltas.add([
      {
        index: 1,
        delta: { toolCalls: [{ index: 0, id: 'call_2', function: { name: 'lookup', arguments: '{"a"' } }] },
      },
    ]);
    deltas.add([{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }]);
    deltas.add([
      { index: 0, delta: {}, finish_reason: 'stop' },
      { index: 1, delta: {}, finishReason: 'tool_calls' },
    ]);
    // A usage-only chunk has no choices: it does not count for the time to first chunk.
    expect(deltas.add([])).toBe(false);
    expect(deltas.add(undefined)).toBe(false);

    expect(deltas.finishReasons()).toEqual(['stop', 'tool_calls']);
    expect(deltas.outputMessages()).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'stop' },
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Hi' },
          { type: 'tool_call', id: 'call_2', name: 'lookup', arguments: '{"a":1}' },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('keeps no content when content is not captured, only the finish reasons', () => {
    const deltas = new ChatChoiceDeltas(false);
    deltas.add([{ index: 0, delta: { content: 'secret' }, finish_reason: 'length' }]);
    expect(deltas.finishReasons()).toEqual(['length']);
    expect(deltas.outputMessages()).toEqual([{ role: 'assistant', parts: [], finish_reason: 'length' }]);
  });
});
