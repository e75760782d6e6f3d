/**
 * ClaudeAgentCostRecorder: the Claude Agent SDK's result messages as reported cost. The real SDK
 * and its Claude Code binary run in test/frameworks/claude-agent-sdk.test.ts.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../../../../test/support/otel.js';
import { withAttribution } from '../../src/attribution/index.js';
import { CLAUDE_AGENT_SDK_SCOPE, ClaudeAgentCostRecorder } from '../../src/frameworks/index.js';

const otel = createOtelHarness();
afterAll(() => otel.shutdown());
beforeEach(() => otel.reset());

function haiku(calls: number) {
  return {
    inputTokens: 50 * calls,
    outputTokens: 120 * calls,
    cacheReadInputTokens: 8000 * calls,
    cacheCreationInputTokens: 1500 * calls,
    costUSD: 0.0037 * calls,
  };
}

function result(sessionId: string | undefined, modelUsage: Record<string, unknown>) {
  return { type: 'result', subtype: 'success', session_id: sessionId, total_cost_usd: 0, modelUsage };
}

describe('ClaudeAgentCostRecorder', () => {
  it('returns every message unchanged and records only result messages', () => {
    const recorder = new ClaudeAgentCostRecorder();
    const assistant = { type: 'assistant', message: { usage: { input_tokens: 5 } } };
    expect(recorder.record(assistant)).toBe(assistant);
    expect(recorder.record(null)).toBeNull();
    expect(otel.spans()).toHaveLength(0);
  });

  it('one span per model of a result, with its usage and its cost as reported cost, attributed', () => {
    const recorder = new ClaudeAgentCostRecorder();
    withAttribution({ feature: 'review' }, () =>
      recorder.record(
        result('s1', {
          'claude-haiku-4-5': haiku(1),
          'claude-sonnet-4-5': {
            inputTokens: 1000,
            outputTokens: 100,
            cacheReadInputTokens: 0,
            cacheCreationInputTokens: 0,
            costUSD: 0.0045,
          },
        }),
      ),
    );
    const spans = otel.spans();
    expect(spans.map((span) => span.name).sort()).toEqual([
      'chat claude-haiku-4-5',
      'chat claude-sonnet-4-5',
    ]);
    expect(spans.every((span) => span.instrumentationScope.name === CLAUDE_AGENT_SDK_SCOPE)).toBe(true);
    const sonnet = spans.find((span) => span.name === 'chat claude-sonnet-4-5');
    expect(sonnet?.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.conversation.id': 's1',
      'gen_ai.usage.input_tokens': 1000,
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.reported': '0.0045',
      'aicost.cost.total': '0.004500000',
      // The catalogue's figure for the same usage: 1,000 x $3 + 100 x $15, per million.
      'aicost.cost.computed': '0.004500000',
      'aicost.feature': 'review',
    });
  });

  it('running totals of one session: each result records what it added, exactly; other sessions apart', () => {
    const recorder = new ClaudeAgentCostRecorder();
    recorder.record(result('s1', { 'claude-haiku-4-5': haiku(1) }));
    recorder.record(result('s2', { 'claude-haiku-4-5': haiku(1) }));
    // 0.0037 * 3 is 0.011100000000000002 as a float: the difference is taken in nano-USD.
    recorder.record(result('s1', { 'claude-haiku-4-5': haiku(3) }));
    // A result that adds nothing (a turn without a model call) records nothing.
    recorder.record(result('s1', { 'claude-haiku-4-5': haiku(3) }));
    const spans = otel.spans();
    expect(
      spans.map((span) => [span.attributes['gen_ai.conversation.id'], span.attributes['aicost.cost.total']]),
    ).toEqual([
      ['s1', '0.003700000'],
      ['s2', '0.003700000'],
      ['s1', '0.007400000'],
    ]);
    expect(spans[2]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 2 * 9550,
      'gen_ai.usage.output_tokens': 240,
      'aicost.cost.reported': '0.007400000',
    });
  });

  it('a bad count is recorded as unpriced invalid usage, not dropped and not priced', () => {
    const recorder = new ClaudeAgentCostRecorder();
    recorder.record(result('s1', { 'claude-haiku-4-5': { ...haiku(1), outputTokens: -5 } }));
    const [span] = otel.spans();
    expect(span?.attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'invalid_usage',
    });
    expect(span?.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('without a reported cost the usage is priced from the catalogue', () => {
    const recorder = new ClaudeAgentCostRecorder();
    const { costUSD: _omitted, ...usage } = haiku(1);
    recorder.record(result(undefined, { 'claude-haiku-4-5': usage }));
    expect(otel.spans()[0]?.attributes).toMatchObject({ 'aicost.cost.status': 'priced' });
  });
});
