/**
 * Every metric label whose values the application or its callers choose (feature, customer,
 * request and response model) is bounded: the first N distinct values keep their label, the
 * rest fold into `other`. A caller who puts a new `aicost.feature` in its baggage on every
 * request must not create a new series per request.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../src/attribution/index.js';
import { DEFAULT_LABEL_LIMIT, GenAIMetrics, OVERFLOW_LABEL } from '../src/metrics/index.js';
import type { CostResult } from '../src/types.js';

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

const priced: CostResult = {
  status: 'priced',
  currency: 'USD',
  cost: { input: 1_000_000n, cacheRead: 0n, cacheWrite: 0n, output: 0n, other: 0n, total: 1_000_000n },
};
const call = {
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('metric labels an attacker can choose', () => {
  it('2,104 distinct features (from baggage or the span) make at most limit + 1 series, the rest in "other"', async () => {
    const { genAIMetrics, collect } = setup();
    for (let i = 0; i < 2104; i++) {
      if (i % 2 === 0) {
        genAIMetrics.record({ attributes: { ...call, 'aicost.feature': `attacker-${i}` }, cost: priced });
      } else {
        withAttribution({ feature: `attacker-${i}` }, () =>
          genAIMetrics.record({ attributes: call, cost: priced }),
        );
      }
    }
    const cost = (await collect('aicost.cost')) as SumMetricData;
    const features = cost.dataPoints.map((p) => p.attributes['aicost.feature']);
    expect(features).toHaveLength(DEFAULT_LABEL_LIMIT + 1);
    const other = cost.dataPoints.find((p) => p.attributes['aicost.feature'] === OVERFLOW_LABEL);
    // Nothing is lost: the overflow series counts every call past the limit.
    expect(other?.value).toBeCloseTo(((2104 - DEFAULT_LABEL_LIMIT) * 1_000_000) / 1e9, 9);
    expect(features).toContain('attacker-0');
  });

  it('bounds request and response models on the token and duration histograms too', async () => {
    const { genAIMetrics, collect } = setup({ labelLimit: 2 });
    for (let i = 0; i < 10; i++) {
      genAIMetrics.record({
        attributes: { ...call, 'gen_ai.request.model': `m-${i}`, 'gen_ai.response.model': `r-${i}` },
        durationSeconds: 1,
      });
    }
    const duration = (await collect('gen_ai.client.operation.duration')) as HistogramMetricData;
    const series = duration.dataPoints.map((p) => [
      p.attributes['gen_ai.request.model'],
      p.attributes['gen_ai.response.model'],
    ]);
    expect(series.sort()).toEqual([
      ['m-0', 'r-0'],
      ['m-1', 'r-1'],
      [OVERFLOW_LABEL, OVERFLOW_LABEL],
    ]);
  });

  it('reads the default bound from AICOST_METRICS_LABEL_LIMIT', async () => {
    process.env.AICOST_METRICS_LABEL_LIMIT = '3';
    // The shared per-process limiters are created on first use: reset them for this check.
    const key = Symbol.for('@aicost/core.metric-label-limiters');
    const saved = (globalThis as Record<symbol, unknown>)[key];
    delete (globalThis as Record<symbol, unknown>)[key];
    try {
      const { genAIMetrics, collect } = setup();
      for (let i = 0; i < 10; i++) {
        genAIMetrics.record({ attributes: { ...call, 'aicost.feature': `f-${i}` }, cost: priced });
      }
      const cost = (await collect('aicost.cost')) as SumMetricData;
      expect(cost.dataPoints.map((p) => p.attributes['aicost.feature']).sort()).toEqual([
        'f-0',
        'f-1',
        'f-2',
        OVERFLOW_LABEL,
      ]);
    } finally {
      delete process.env.AICOST_METRICS_LABEL_LIMIT;
      (globalThis as Record<symbol, unknown>)[key] = saved;
    }
  });
});
