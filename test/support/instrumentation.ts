/**
 * The test bed an instrumentation package's unit tests share: a fresh in-memory
 * OTel harness registered globally, and one instrumentation wired to it and
 * patched by hand onto an SDK module namespace (vitest loads modules itself, so
 * the require/import hooks never see them).
 *
 * Each package's `test/setup.ts` keeps what is its own (fixtures in the
 * provider's wire format, client factories) and builds on this. Also here: the
 * lifecycle of a test file's bed and mock server (`useTestBed`), the one span a
 * call must produce, the with/without-instrumentation pair of the "behaviour
 * unchanged" tests, and metric totals for before/after comparisons.
 */

import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  METRIC_AICOST_COST,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@aicost/core';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createMockServer, type MockServer } from './mock-server.js';
import { createOtelHarness, type OtelHarness, pointsMatching } from './otel.js';

/** The part of an aicost instrumentation the test bed drives. */
export interface ManuallyInstrumentable {
  setTracerProvider(tracerProvider: TracerProvider): void;
  setMeterProvider(meterProvider: MeterProvider): void;
  manuallyInstrument(sdkModule: unknown): void;
}

export interface TestBed<I extends ManuallyInstrumentable> {
  harness: OtelHarness;
  instrumentation: I;
}

/**
 * Registers a fresh harness globally, then builds the instrumentation (after
 * the harness, as an application's start-up would) and patches `sdkModule`.
 */
export function instrumentWithHarness<I extends ManuallyInstrumentable>(
  createInstrumentation: () => I,
  sdkModule: unknown,
): TestBed<I> {
  const harness = createOtelHarness();
  const instrumentation = createInstrumentation();
  instrumentation.setTracerProvider(harness.tracerProvider);
  instrumentation.setMeterProvider(harness.meterProvider);
  instrumentation.manuallyInstrument(sdkModule);
  return { harness, instrumentation };
}

/** What `useTestBed` puts back after each test: the instrumentation on, with its default config. */
interface Reconfigurable extends ManuallyInstrumentable {
  enable(): void;
  setConfig(config: object): void;
}

/**
 * A test file's bed (`setUp()`, built in `beforeAll`) and loopback mock server, closed after its
 * tests. After each test the server forgets its routes and requests, the harness its spans, and
 * the instrumentation is enabled again with its default config. The returned objects stand for
 * the ones `beforeAll` makes: use them in hooks and tests (a client on `server.url` in the file's
 * own `beforeAll`, which runs after this one).
 */
export function useTestBed<I extends Reconfigurable>(
  setUp: () => TestBed<I>,
): { bed: TestBed<I>; server: MockServer } {
  const server = createMockServer();
  let started: TestBed<I> | undefined;
  const current = () => {
    if (!started) throw new Error('the test bed is set up in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = setUp();
    await server.listen();
  });
  afterEach(() => {
    server.reset();
    current().harness.reset();
    current().instrumentation.enable();
    current().instrumentation.setConfig({});
  });
  afterAll(async () => {
    await server.close();
    await started?.harness.shutdown();
  });
  const bed = {
    get harness() {
      return current().harness;
    },
    get instrumentation() {
      return current().instrumentation;
    },
  };
  return { bed, server };
}

/** Spans that describe a GenAI call (ours or the SDK's own): the ones that would be counted and priced. */
export function genAISpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined);
}

/** The one span a call must produce: fails on none, on a second one, or on one of another scope. */
export function onlySpan(spans: ReadableSpan[], scope: string, name: string): ReadableSpan {
  expect(spans.map((s) => `${s.instrumentationScope.name}: ${s.name}`)).toEqual([`${scope}: ${name}`]);
  return spans[0]!;
}

/** The one span a call must produce (`onlySpan`), once the callbacks have settled. */
export async function settledSpan(harness: OtelHarness, scope: string, name: string): Promise<ReadableSpan> {
  return onlySpan(await settle(harness, 1), scope, name);
}

/** Reads a stream to its end: what it yielded, in order. */
export async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Lets stream and response callbacks run (they finish on later ticks than the application's await). */
export async function settle(harness: OtelHarness, expectedSpans: number): Promise<ReadableSpan[]> {
  await harness.waitForSpans(expectedSpans);
  // A span that must not exist (a duplicate, a second end) gets its chance to show up.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return harness.spans();
}

/**
 * Runs `scenario` with the instrumentation on, then off, against the same scripted
 * responses: the pair a "behaviour unchanged" test compares.
 */
export async function withAndWithoutInstrumentation<T>(
  instrumentation: { enable(): void; disable(): void },
  server: { reset(): void },
  respond: () => void,
  scenario: () => Promise<T>,
): Promise<[T, T]> {
  respond();
  const withIt = await scenario();
  instrumentation.disable();
  server.reset();
  respond();
  const withoutIt = await scenario();
  instrumentation.enable();
  return [withIt, withoutIt];
}

export interface MetricTotals {
  sum: number;
  count: number;
}

/** Sum (histograms: sum and count) over the points of `name` that match; metrics are cumulative. */
export async function metricTotals(
  harness: OtelHarness,
  name: string,
  match: Record<string, unknown> = {},
): Promise<MetricTotals> {
  const points = pointsMatching<number | MetricTotals>(await harness.metric(name), match);
  return points.reduce(
    (acc, p) =>
      typeof p.value === 'number'
        ? { sum: acc.sum + p.value, count: acc.count + 1 }
        : { sum: acc.sum + p.value.sum, count: acc.count + p.value.count },
    { sum: 0, count: 0 },
  );
}

/** The GenAI client metrics and the cost metric of one request model, each totalled: compare two snapshots. */
export async function genAIMetricsSnapshot(harness: OtelHarness, requestModel: string) {
  const totals = (name: string, match: Record<string, unknown> = {}) =>
    metricTotals(harness, name, { [ATTR_GEN_AI_REQUEST_MODEL]: requestModel, ...match });
  return {
    input: await totals(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, { 'gen_ai.token.type': 'input' }),
    output: await totals(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, { 'gen_ai.token.type': 'output' }),
    duration: await totals(METRIC_GEN_AI_CLIENT_OPERATION_DURATION),
    ttfc: await totals(METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK),
    cost: await totals(METRIC_AICOST_COST),
  };
}
