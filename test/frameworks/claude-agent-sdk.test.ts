/**
 * The Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`) with aicost's `register()`. Its
 * model calls run in the Claude Code process the SDK starts (a native binary), out of reach
 * of the application's instrumentations; that process talks to the loopback server here
 * (`ANTHROPIC_BASE_URL`). What the application sees is the SDK's report: each `result`
 * message carries, per model, the tokens and the cost of the run. `ClaudeAgentCostRecorder`
 * (@aicost/core) records that as reported cost (`aicost.cost.reported`), attributed from
 * `withAttribution`, one span and one request row per model per result, and, for a
 * streaming-input session whose results carry running totals, only what each turn added.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaudeAgentCostRecorder, withAttribution } from '@aicost/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse } from '../support/mock-server.js';
import { providerFixture, useFrameworkSuite } from './support.js';

const { server, exported, requestRows } = useFrameworkSuite({
  serviceName: 'claude-agent-app',
  instrumentations: ['anthropic'],
  // Claude Code streams every call; 50 input, 8,000 cache-read, 1,500 cache-write (1,000 5m + 500 1h), 120 output tokens.
  respond: (server) =>
    server.on('POST', '/v1/messages', sse(anthropicFixture('stream-cache-write-read').events)),
});

// An ES module only: imported after register(), like the frameworks the other suites require.
const { query } = await import('@anthropic-ai/claude-agent-sdk');
type SDKMessage = Awaited<ReturnType<ReturnType<typeof query>['next']>>['value'];
type SDKUserMessage = Extract<SDKMessage, { type: 'user' }>;
type SDKResult = Extract<SDKMessage, { type: 'result' }>;

const anthropicFixture = providerFixture('anthropic');

const MODEL = 'claude-haiku-4-5';
/**
 * What Claude Code reports for one call of the fixture at claude-haiku-4-5's list price: 50 input
 * x $1/M + 8,000 cache-read x $0.10/M + 1,000 5m cache-write x $1.25/M + 500 1h cache-write x
 * $2/M + 120 output x $5/M = $0.0037.
 */
const REPORTED_PER_CALL = 0.0037;
const REPORTED_PER_CALL_NANOS = '0.003700000';
const ATTRIBUTION = { feature: 'code-review', customer: 'umbrella' };

let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aicost-claude-home-'));
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Options that keep Claude Code on the loopback server, in an empty home, with no settings or tools of the machine. */
function options() {
  return {
    model: MODEL,
    cwd: home,
    settingSources: [],
    maxTurns: 1,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: server.url,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
    },
  };
}

function modelCalls(): number {
  return server.requests.filter((request) => request.path.startsWith('/v1/messages')).length;
}

function costUSD(result: SDKResult | undefined): number | undefined {
  return result?.modelUsage[MODEL]?.costUSD;
}

describe('Claude Agent SDK with register() and ClaudeAgentCostRecorder: reported cost, attributed', () => {
  it('one query: one span and one row with the cost the SDK reported and its usage', async () => {
    const recorder = new ClaudeAgentCostRecorder();
    const results: SDKResult[] = [];
    await withAttribution(ATTRIBUTION, async () => {
      for await (const message of query({ prompt: 'Summarise the document.', options: options() })) {
        recorder.record(message);
        if (message.type === 'result') results.push(message);
      }
    });
    expect(modelCalls()).toBe(1);
    expect(results).toHaveLength(1);
    const reported = costUSD(results[0]);
    expect(reported).toBe(REPORTED_PER_CALL);
    expect(results[0]?.total_cost_usd).toBe(reported);

    const spans = await exported();
    // Claude Code's own calls are in another process: the recorder's span is the only one.
    expect(spans).toHaveLength(1);
    expect(spans[0]?.name).toBe(`chat ${MODEL}`);
    expect(spans[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.conversation.id': results[0]?.session_id,
      // The ledger's input includes the cache tokens: 50 + 8,000 + 1,500.
      'gen_ai.usage.input_tokens': 9550,
      'gen_ai.usage.output_tokens': 120,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.cache_creation.input_tokens': 1500,
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.reported': '0.0037',
      'aicost.cost.total': REPORTED_PER_CALL_NANOS,
      'aicost.cost.reported_source': 'claude-agent-sdk.modelUsage.costUSD',
      'aicost.feature': 'code-review',
      'aicost.customer': 'umbrella',
    });
    const rows = await requestRows(spans);
    expect(rows).toEqual([
      expect.objectContaining({
        cost_status: 'provider_reported',
        feature: 'code-review',
        customer: 'umbrella',
      }),
    ]);
    expect(rows[0]?.cost_total).toBe(REPORTED_PER_CALL_NANOS);
  });

  it('a streaming-input session of two turns: running totals recorded once, one span and one row per turn', async () => {
    const recorder = new ClaudeAgentCostRecorder();
    const results: SDKResult[] = [];
    let firstResult!: () => void;
    const answered = new Promise<void>((resolve) => {
      firstResult = resolve;
    });
    async function* turns(): AsyncGenerator<SDKUserMessage> {
      const turn = (text: string) =>
        ({
          type: 'user',
          message: { role: 'user', content: text },
          parent_tool_use_id: null,
          session_id: '',
        }) as SDKUserMessage;
      yield turn('Summarise the document.');
      await answered;
      yield turn('And the risks?');
    }
    await withAttribution(ATTRIBUTION, async () => {
      const session = query({ prompt: turns(), options: options() });
      for await (const message of session) {
        recorder.record(message);
        if (message.type !== 'result') continue;
        results.push(message);
        if (results.length === 1) firstResult();
        else session.close();
      }
    });
    expect(modelCalls()).toBe(2);
    expect(results).toHaveLength(2);
    // The second result's running total repeats the first turn's cost.
    expect(results.map(costUSD)).toEqual([REPORTED_PER_CALL, 2 * REPORTED_PER_CALL]);

    const spans = await exported();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'gen_ai.usage.input_tokens': 9550,
        'gen_ai.usage.output_tokens': 120,
        'aicost.cost.status': 'provider_reported',
        'aicost.feature': 'code-review',
      });
    }
    // The first turn as stated; the second the exact difference of the two running totals.
    expect(spans.map((span) => span.attributes['aicost.cost.reported'])).toEqual([
      '0.0037',
      REPORTED_PER_CALL_NANOS,
    ]);
    expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual([
      REPORTED_PER_CALL_NANOS,
      REPORTED_PER_CALL_NANOS,
    ]);
    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.cost_status, row.cost_total, row.customer])).toEqual([
      ['provider_reported', REPORTED_PER_CALL_NANOS, 'umbrella'],
      ['provider_reported', REPORTED_PER_CALL_NANOS, 'umbrella'],
    ]);
  });
});
