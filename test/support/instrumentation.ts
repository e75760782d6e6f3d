/**
 * The test bed an instrumentation package's unit tests share: a fresh in-memory
 * OTel harness registered globally, and one instrumentation wired to it and
 * patched by hand onto an SDK module namespace (vitest loads modules itself, so
 * the require/import hooks never see them).
 *
 * Each package's `test/setup.ts` keeps what is its own (fixtures in the
 * provider's wire format, client factories) and builds on this.
 */

import { ATTR_GEN_AI_PROVIDER_NAME } from '@aicost/core';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelHarness, type OtelHarness } from './otel.js';

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

/** Spans that describe a GenAI call (ours or the SDK's own): the ones that would be counted and priced. */
export function genAISpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined);
}

/** Lets stream and response callbacks run (they finish on later ticks than the application's await). */
export async function settle(harness: OtelHarness, expectedSpans: number): Promise<ReadableSpan[]> {
  await harness.waitForSpans(expectedSpans);
  // A span that must not exist (a duplicate, a second end) gets its chance to show up.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return harness.spans();
}
