import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../src/attribution/index.js';
import { customerLabelsEnabledFromEnv } from '../src/metrics/customer-labels.js';
import {
  CustomerLabelLimiter,
  DURATION_BUCKETS,
  GenAIMetrics,
  OTHER_CUSTOMER_LABEL,
  TOKEN_USAGE_BUCKETS,
} from '../src/metrics/index.js';
import type { CostResult, TokenUsage } from '../src/types.js';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(options: ConstructorParameters<typeof GenAIMetrics>[1] = {}) {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  const genAIMetrics = new GenAIMetrics(provider.getMeter('test'), options);
  const collect = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === name);
  };
  return { genAIMetrics, collect };
}

const usage: TokenUsage = {
  inputTokens: 1200,
  outputTokens: 30,
  cacheReadTokens: 1024,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
};
const priced = (total: bigint): CostResult => ({
  status: 'priced',
  currency: 'USD',
  cost: { input: total, cacheRead: 0n, cacheWrite: 0n, output: 0n, other: 0n, total },
});
const call = {
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'server.address': 'api.openai.com',
  'gen_ai.input.messages': 'never a metric label',
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('GenAIMetrics', () => {
  it('records token usage by type with the semconv unit, buckets and attributes', async () => {
    const { genAIMetrics, collect } = setup();
    genAIMetrics.record({ attributes: call, usage, durationSeconds: 0.5, timeToFirstChunkSeconds: 0.12 });
    const tokens = (await collect('gen_ai.client.token.usage')) as HistogramMetricData;
    expect(tokens.descriptor.unit).toBe('{token}');
    expect(tokens.dataPointType).toBe(DataPointType.HISTOGRAM);
    const byType = Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p]));
    expect(byType.input?.value.sum).toBe(1200);
    expect(byType.output?.value.sum).toBe(30);
    expect(byType.input?.value.buckets.boundaries).toEqual(TOKEN_USAGE_BUCKETS);
    expect(byType.input?.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'server.address': 'api.openai.com',
      'gen_ai.token.type': 'input',
    });

    const duration = (await collect('gen_ai.client.operation.duration')) as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints[0]?.value.sum).toBe(0.5);
    expect(duration.dataPoints[0]?.value.buckets.boundaries).toEqual(DURATION_BUCKETS);
    const firstChunk = (await collect('gen_ai.client.operation.time_to_first_chunk')) as HistogramMetricData;
    expect(firstChunk.dataPoints[0]?.value.sum).toBe(0.12);
  });

  it('counts cost in USD from exact nanos, by provider, model, operation and feature', async () => {
    const { genAIMetrics, collect } = setup({ customer: { enabled: false } });
    withAttribution({ feature: 'search', customer: 'acme' }, () => {
      genAIMetrics.record({ attributes: call, usage, cost: priced(412_500n) });
      genAIMetrics.record({ attributes: call, usage, cost: priced(1_000_000_001n) });
    });
    const cost = (await collect('aicost.cost')) as SumMetricData;
    expect(cost.descriptor.unit).toBe('USD');
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]?.value).toBeCloseTo(1.000412501, 12);
    expect(cost.dataPoints[0]?.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'aicost.feature': 'search',
      'aicost.cost.status': 'priced',
    });
  });

  it('keeps one running total per meter: metrics rebuilt on the same meter (a config change) carry on, never report twice', async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    const before = new GenAIMetrics(provider.getMeter('test'));
    before.record({ attributes: call, cost: priced(250_000_000n) });
    const rebuilt = new GenAIMetrics(provider.getMeter('test'));
    rebuilt.record({ attributes: call, cost: priced(500_000_000n) });
    const { resourceMetrics } = await reader.collect();
    const cost = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'aicost.cost') as SumMetricData;
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]?.value).toBe(0.75);
  });

  it('reports cost deltas to a reader that asks for delta temporality', async () => {
    const reader = new CollectingReader({
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
    });
    const provider = new MeterProvider({ readers: [reader] });
    const genAIMetrics = new GenAIMetrics(provider.getMeter('test'));
    const collectCost = async () => {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((m) => m.descriptor.name === 'aicost.cost') as SumMetricData;
    };
    genAIMetrics.record({ attributes: call, cost: priced(250_000_000n) });
    const first = await collectCost();
    genAIMetrics.record({ attributes: call, cost: priced(500_000_000n) });
    genAIMetrics.record({ attributes: call, cost: priced(1_000_000_000n) });
    const second = await collectCost();
    expect(first.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(first.dataPoints[0]?.value).toBe(0.25);
    expect(second.dataPoints[0]?.value).toBe(1.5);
  });

  it('counts unpriced calls apart, with the reason, and never adds them to cost', async () => {
    const { genAIMetrics, collect } = setup();
    genAIMetrics.record({
      attributes: { ...call, 'aicost.feature': 'chat' },
      usage,
      cost: { status: 'unpriced', reason: 'unknown_model', currency: 'USD' },
    });
    const unpriced = (await collect('aicost.unpriced.requests')) as SumMetricData;
    expect(unpriced.dataPoints[0]?.value).toBe(1);
    expect(unpriced.dataPoints[0]?.attributes['aicost.cost.status_reason']).toBe('unknown_model');
    expect(unpriced.dataPoints[0]?.attributes['aicost.feature']).toBe('chat');
    const cost = await collect('aicost.cost');
    expect(cost?.dataPoints ?? []).toHaveLength(0);
  });

  it('labels customers only when opted in, keeping the first N and folding the rest into "other"', async () => {
    const { genAIMetrics, collect } = setup({ customer: { enabled: true, limit: 2 } });
    for (const customer of ['c1', 'c2', 'c3', 'c1', 'c4']) {
      genAIMetrics.record({
        attributes: { ...call, 'aicost.customer': customer },
        cost: priced(1_000_000_000n),
      });
    }
    const cost = (await collect('aicost.cost')) as SumMetricData;
    const byCustomer = Object.fromEntries(
      cost.dataPoints.map((p) => [p.attributes['aicost.customer'], p.value]),
    );
    expect(byCustomer).toEqual({ c1: 2, c2: 1, [OTHER_CUSTOMER_LABEL]: 2 });
  });

  it('leaves the customer off without opt-in, and reads AICOST_METRICS_CUSTOMER*', async () => {
    const off = setup();
    off.genAIMetrics.record({ attributes: { ...call, 'aicost.customer': 'c1' }, cost: priced(1n) });
    const offCost = (await off.collect('aicost.cost')) as SumMetricData;
    expect(offCost.dataPoints[0]?.attributes['aicost.customer']).toBeUndefined();

    process.env.AICOST_METRICS_CUSTOMER = 'true';
    try {
      const on = setup({ customerLimiter: new CustomerLabelLimiter(1) });
      on.genAIMetrics.record({ attributes: { ...call, 'aicost.customer': 'c1' }, cost: priced(1n) });
      on.genAIMetrics.record({ attributes: { ...call, 'aicost.customer': 'c2' }, cost: priced(1n) });
      const onCost = (await on.collect('aicost.cost')) as SumMetricData;
      expect(onCost.dataPoints.map((p) => p.attributes['aicost.customer']).sort()).toEqual(['c1', 'other']);
    } finally {
      delete process.env.AICOST_METRICS_CUSTOMER;
    }
  });

  it('reads AICOST_METRICS_CUSTOMER with the same words as every aicost flag', () => {
    const enabledWith = (value: string | undefined) => {
      if (value === undefined) delete process.env.AICOST_METRICS_CUSTOMER;
      else process.env.AICOST_METRICS_CUSTOMER = value;
      try {
        return customerLabelsEnabledFromEnv();
      } finally {
        delete process.env.AICOST_METRICS_CUSTOMER;
      }
    };
    expect(['true', '1', 'yes', 'on', ' ON '].map(enabledWith)).toEqual([true, true, true, true, true]);
    expect(['false', '0', 'no', 'off', 'maybe', ''].map(enabledWith)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(enabledWith(undefined)).toBe(false);
  });

  it('never throws into the caller', () => {
    const { genAIMetrics } = setup();
    expect(() =>
      genAIMetrics.record({ attributes: call, usage: { inputTokens: Number.NaN } as TokenUsage }),
    ).not.toThrow();
  });
});

describe('CustomerLabelLimiter', () => {
  it('is bounded and stable', () => {
    const limiter = new CustomerLabelLimiter(3);
    const labels = Array.from({ length: 1000 }, (_, i) => limiter.label(`c${i % 50}`));
    expect(new Set(labels)).toEqual(new Set(['c0', 'c1', 'c2', 'other']));
    expect(limiter.label('c1')).toBe('c1');
  });
});
