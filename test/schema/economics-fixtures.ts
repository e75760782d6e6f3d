/**
 * A seeded book of business for the unit-economics suites: model calls spread over two
 * services and two releases, outcomes recorded by a second service in the same traces,
 * customers in segments, on self-hosted pools and provider APIs. Every call's cost is
 * computed here from its tokens and the list prices below (integer nano-USD per token), so
 * each suite can derive its expected figures from this data alone.
 */
import type { ExporterSpan, PriceAlias, PriceRow } from '../support/chdb.js';
import { aicostCostAttributes, callSpan, prng } from './fixtures.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Midnight UTC, `daysAgo` days before today: the seed stays inside every table's TTL. */
export function dayStart(daysAgo: number): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysAgo * DAY_MS;
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** Nano-USD per token (= USD per 1M tokens x 1000) of the models the seed uses. */
export const MODEL_PRICES: Record<
  string,
  { providerId: string; provider: string; input: bigint; cacheRead: bigint; output: bigint }
> = {
  'gpt-4o': { providerId: 'openai', provider: 'openai', input: 2500n, cacheRead: 1250n, output: 10000n },
  'gpt-4o-mini': { providerId: 'openai', provider: 'openai', input: 150n, cacheRead: 75n, output: 600n },
  'claude-sonnet-4-0': {
    providerId: 'anthropic',
    provider: 'anthropic',
    input: 3000n,
    cacheRead: 300n,
    output: 15000n,
  },
  'llama-3.1-70b': {
    providerId: 'self',
    provider: 'self_hosted',
    input: 100n,
    cacheRead: 100n,
    output: 100n,
  },
};

const usdPerMtok = (nanosPerToken: bigint) => (Number(nanosPerToken) / 1000).toString();

export const ECONOMICS_PRICES: PriceRow[] = Object.entries(MODEL_PRICES).map(([modelId, p]) => ({
  providerId: p.providerId,
  modelId,
  validFrom: '2020-01-01T00:00:00Z',
  inputMtok: usdPerMtok(p.input),
  cacheReadMtok: usdPerMtok(p.cacheRead),
  outputMtok: usdPerMtok(p.output),
  priceSource: 'genai-prices',
  priceVersion: 'genai-prices@0.1.8',
}));

export const ECONOMICS_ALIASES: PriceAlias[] = Object.entries(MODEL_PRICES).map(([modelId, p]) => ({
  provider: p.provider,
  matchKind: 'exact',
  pattern: modelId,
  providerId: p.providerId,
  modelId,
}));

/** The model of the seed's unpriced calls: in no price row. */
export const UNKNOWN_MODEL = 'acme-finetune-7b';

export interface SeedCall {
  traceId: string;
  spanId: string;
  start: number;
  service: string;
  release: string;
  feature: string;
  customer: string;
  workflow: string;
  model: string;
  input: number;
  cacheRead: number;
  output: number;
  /** nano-USD recorded on the span; null: unpriced (the span names {@link UNKNOWN_MODEL}). */
  costNanos: bigint | null;
  /** `aicost.attr.pool` attribution, when the call ran on a capacity pool. */
  pool?: string;
}

export interface SeedOutcome {
  traceId: string;
  spanId: string;
  start: number;
  service: string;
  release: string;
  outcome: string;
  feature: string;
  customer: string;
  workflow: string;
  segment: string;
  value?: string;
}

/** The cost @aicost/core records for a call: uncached input, cache reads and output at list price. */
export function listCost(model: string, input: number, cacheRead: number, output: number): bigint {
  const p = MODEL_PRICES[model]!;
  return BigInt(input - cacheRead) * p.input + BigInt(cacheRead) * p.cacheRead + BigInt(output) * p.output;
}

export const CUSTOMERS = [
  { customer: 'acme', segment: 'smb' },
  { customer: 'globex', segment: 'enterprise' },
  { customer: 'initech', segment: 'smb' },
  { customer: 'umbrella', segment: 'enterprise' },
] as const;

export const FEATURES = ['support', 'search'] as const;

export interface Seed {
  calls: SeedCall[];
  outcomes: SeedOutcome[];
}

let ids = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * 60 traces over the last 20 days: service `support-api` makes 1-3 model calls per trace
 * (release 1.0.0 up to 10 days ago, 2.0.0 since, which switches `support` to gpt-4o); about
 * two traces in three end with a `ticket_resolved` outcome recorded by `support-worker` in
 * the same trace (some with two), and a few calls are unpriced. Pool calls run on
 * `llama-3.1-70b` at `gpu-pool-a` (hours 10 and 11 of day 2 ago) and `gpu-pool-b`.
 */
export function economicsSeed(seed = 7): Seed {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const calls: SeedCall[] = [];
  const outcomes: SeedOutcome[] = [];
  for (let t = 0; t < 60; t++) {
    const daysAgo = 1 + (t % 20);
    const release = daysAgo > 10 ? '1.0.0' : '2.0.0';
    const traceId = hex(0xe000 + ++ids, 32);
    const start = dayStart(daysAgo) + Math.floor(random() * 20) * HOUR_MS + Math.floor(random() * 3_000_000);
    const { customer, segment } = pick(CUSTOMERS);
    const feature = pick(FEATURES);
    const workflow = feature === 'support' ? 'ticket' : 'lookup';
    const model =
      feature === 'support' ? (release === '1.0.0' ? 'gpt-4o-mini' : 'gpt-4o') : 'claude-sonnet-4-0';
    const n = 1 + Math.floor(random() * 3);
    for (let c = 0; c < n; c++) {
      const input = 200 + Math.floor(random() * 5000);
      const cacheRead = random() < 0.5 ? Math.floor(random() * input) : 0;
      const output = 20 + Math.floor(random() * 800);
      // Traces 5, 22, 39, 56 have an unpriced call; in 22 and 56 every call is unpriced.
      const unpriced = t % 17 === 5 && (c === 0 || t % 2 === 0);
      calls.push({
        traceId,
        spanId: hex(++ids, 16),
        start: start + c * 1000,
        service: 'support-api',
        release,
        feature,
        customer,
        workflow,
        model,
        input,
        cacheRead,
        output,
        costNanos: unpriced ? null : listCost(model, input, cacheRead, output),
      });
    }
    if (t % 3 !== 2) {
      const count = t % 7 === 0 ? 2 : 1;
      for (let k = 0; k < count; k++) {
        outcomes.push({
          traceId,
          spanId: hex(++ids, 16),
          start: start + 60_000 + k,
          service: 'support-worker',
          release: release === '1.0.0' ? 'w-1' : 'w-2',
          outcome: 'ticket_resolved',
          feature,
          customer,
          workflow,
          segment,
          ...(t % 4 === 0 ? { value: `${10 + t}.25` } : {}),
        });
      }
    }
  }
  // Self-hosted pool traffic (2 days ago, hours 10 and 11): 3 requests on pool a in hour
  // 10, 2 in hour 11; 2 on pool b in hour 10. Self-hosted calls carry their per-token rate.
  const poolCalls: [string, number, number, number][] = [
    ['gpu-pool-a', 10, 1000, 333],
    ['gpu-pool-a', 10, 2000, 1],
    ['gpu-pool-a', 10, 777, 0],
    ['gpu-pool-a', 11, 5, 5],
    ['gpu-pool-a', 11, 123_456, 7],
    ['gpu-pool-b', 10, 4000, 4000],
    ['gpu-pool-b', 10, 1, 2],
  ];
  for (const [pool, hour, input, output] of poolCalls) {
    calls.push({
      traceId: hex(0xf000 + ++ids, 32),
      spanId: hex(++ids, 16),
      start: dayStart(2) + hour * HOUR_MS + 60_000,
      service: 'support-api',
      release: '2.0.0',
      feature: 'summarize',
      customer: 'acme',
      workflow: '',
      model: 'llama-3.1-70b',
      input,
      cacheRead: 0,
      output,
      costNanos: listCost('llama-3.1-70b', input, 0, output),
      pool,
    });
  }
  return { calls, outcomes };
}

export function seedSpans(seed: Seed): ExporterSpan[] {
  const spans: ExporterSpan[] = seed.calls.map((call) => {
    const p = MODEL_PRICES[call.model]!;
    const attributes: Record<string, string | number> = {
      'aicost.feature': call.feature,
      'aicost.customer': call.customer,
      ...(call.workflow ? { 'aicost.workflow': call.workflow } : {}),
      ...(call.pool ? { 'aicost.attr.pool': call.pool } : {}),
    };
    if (call.costNanos !== null) {
      const nanos = call.costNanos.toString().padStart(10, '0');
      Object.assign(
        attributes,
        aicostCostAttributes({
          total: `${nanos.slice(0, -9)}.${nanos.slice(-9)}`,
          providerId: p.providerId,
          modelId: call.model,
        }),
      );
    } else {
      Object.assign(attributes, {
        'aicost.cost.status': 'unpriced',
        'aicost.cost.status_reason': 'unknown_model',
      });
    }
    return callSpan({
      start: sqlTime(call.start),
      traceId: call.traceId,
      spanId: call.spanId,
      service: call.service,
      resource: { 'service.version': call.release, 'deployment.id': `deploy-${call.release}` },
      provider: p.provider,
      // An unpriced call is one of a model no price row knows (the SQL would price a known one).
      requestModel: call.costNanos === null ? UNKNOWN_MODEL : call.model,
      responseModel: call.costNanos === null ? UNKNOWN_MODEL : call.model,
      usage: {
        input: call.input,
        output: call.output,
        ...(call.cacheRead ? { cacheRead: call.cacheRead } : {}),
      },
      attributes,
    });
  });
  for (const o of seed.outcomes) {
    spans.push({
      start: sqlTime(o.start),
      traceId: o.traceId,
      spanId: o.spanId,
      name: 'aicost.outcome',
      kind: 'Internal',
      resource: { 'service.name': o.service, 'service.version': o.release },
      scopeName: '@aicost/core/outcomes',
      attributes: {
        'aicost.outcome.name': o.outcome,
        ...(o.value === undefined
          ? {}
          : { 'aicost.outcome.value': o.value, 'aicost.outcome.currency': 'USD' }),
        'aicost.feature': o.feature,
        'aicost.customer': o.customer,
        'aicost.workflow': o.workflow,
        'aicost.segment': o.segment,
      },
    });
  }
  return spans;
}

/** Half up to the nano, as the views round averages. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/** Exact Decimal text (the engine's, any scale) to nano-USD. */
export function nanos(text: string | null | undefined): bigint | null {
  if (text === null || text === undefined) return null;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^-/, '').split('.');
  if (/[1-9]/.test(fraction.slice(9))) throw new Error(`finer than a nano: ${text}`);
  const value = BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
  return negative ? -value : value;
}

/** a / b in hundredths, half away from zero (b != 0): a percent change to 2 decimals is hundredths(change x 100, previous). */
export function hundredths(a: bigint, b: bigint): bigint {
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const q = (2n * abs(a) * 100n + abs(b)) / (2n * abs(b));
  return a < 0n !== b < 0n ? -q : q;
}

/** Hundredths of a percent as the report and the release views print them: `-0.05`, `123.45`. */
export function percent(h: bigint): string {
  const digits = (h < 0n ? -h : h).toString().padStart(3, '0');
  return `${h < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * What `aicost report --by release` must say for one release of a service, from the seed
 * alone: its calls, cost per priced request, and the outcomes (recorded by any service) of the
 * traces it made calls in over the priced cost of its calls in those traces, half up.
 */
export function releaseFigures(seed: Seed, service: string, release: string) {
  const calls = seed.calls.filter((c) => c.service === service && c.release === release);
  const priced = calls.filter((c) => c.costNanos !== null);
  const cost = priced.reduce((s, c) => s + (c.costNanos as bigint), 0n);
  const traces = new Set(calls.map((c) => c.traceId));
  const outcomes = seed.outcomes.filter((o) => traces.has(o.traceId));
  const withOutcome = new Set(outcomes.map((o) => o.traceId));
  const outcomePriced = priced.filter((c) => withOutcome.has(c.traceId));
  const outcomeCost = outcomePriced.reduce((s, c) => s + (c.costNanos as bigint), 0n);
  return {
    release,
    requests: calls.length,
    priced: priced.length,
    outcomes: outcomes.length,
    perRequest: divideHalfUp(cost, BigInt(priced.length)),
    perOutcome: divideHalfUp(outcomeCost, BigInt(outcomes.length)),
  };
}
