/**
 * `aicost report` checks what gateways billed against what aicost computes for the same calls
 * (the `aicost_reported_cost_drift` view): reported vs computed per provider, model and
 * source, exactly, and rows above `--drift-threshold` (default 5 %) flagged. Against a real
 * `aicost up`, spans sent over OTLP as @aicost/core writes them for an OpenRouter call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  type Collector,
  makeSpans,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
} from './support.js';

let collector: Collector;

/** An OpenRouter call as the SDK records it: the billed cost, and aicost's list-price total beside it. */
function gatewayCall(model: string, reported: string, computed: string) {
  return {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.total': reported,
      'aicost.cost.reported': reported,
      'aicost.cost.reported_source': 'body.usage.cost',
      'aicost.cost.computed': computed,
    },
  };
}

beforeAll(async () => {
  collector = await startCollector();
  const spans = makeSpans([
    // 2.857 % above the computed cost, with the gateway's 13th decimal kept.
    gatewayCall('openai/gpt-4o', '0.0036000000001', '0.003500000'),
    // A third above it.
    gatewayCall('anthropic/claude-sonnet-4-5', '0.006', '0.004500000'),
    gatewayCall('anthropic/claude-sonnet-4-5', '0.006', '0.004500000'),
  ]);
  const res = await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'));
  expect(res.status, res.body.toString()).toBe(200);
}, CHILD_PROCESS_TIMEOUT);

afterAll(async () => {
  expect(await collector?.stop('SIGTERM')).toBe(0);
});

async function report(...flags: string[]) {
  return runCli(['report', '--data-dir', collector.dataDir, '--since', '1d', ...flags]);
}

describe('aicost report: reported vs computed cost', () => {
  it(
    'lists reported and computed totals exactly and flags the rows above 5 % by default',
    async () => {
      const res = await report('--format', 'json');
      expect(res.code, res.stderr).toBe(0);
      const drift = JSON.parse(res.stdout).reported_cost_drift;
      expect(drift.threshold_percent).toBe('5.00');
      expect(drift.rows).toEqual([
        {
          provider: 'openrouter',
          model: 'anthropic/claude-sonnet-4-5',
          source: 'body.usage.cost',
          requests: 2,
          reported: '0.012',
          computed: '0.009',
          drift: '0.003',
          drift_percent: '33.33',
          flagged: true,
        },
        {
          provider: 'openrouter',
          model: 'openai/gpt-4o',
          source: 'body.usage.cost',
          requests: 1,
          reported: '0.0036000000001',
          computed: '0.0035',
          drift: '0.0001000000001',
          drift_percent: '2.85',
          flagged: false,
        },
      ]);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    'takes the threshold from --drift-threshold, and shows the flag in the table',
    async () => {
      const json = await report('--format', 'json', '--drift-threshold', '2.5%');
      expect(json.code, json.stderr).toBe(0);
      expect(
        JSON.parse(json.stdout).reported_cost_drift.rows.map((row: { flagged: boolean }) => row.flagged),
      ).toEqual([true, true]);
      const table = await report();
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toContain('Reported vs computed cost');
      const flaggedLines = table.stdout.split('\n').filter((line) => line.includes('DRIFT'));
      expect(flaggedLines).toHaveLength(1);
      expect(flaggedLines[0]).toContain('anthropic/claude-sonnet-4-5');
      expect(flaggedLines[0]).toContain('33.33%');
      expect(table.stdout).toContain('1 row(s) differ from aicost');
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    'refuses a threshold that is not a percentage',
    async () => {
      const res = await report('--drift-threshold', 'ten');
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--drift-threshold');
    },
    CHILD_PROCESS_TIMEOUT,
  );
});
