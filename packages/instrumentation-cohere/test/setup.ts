/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * CohereInstrumentation patched onto a given SDK module, a loopback mock of
 * the Cohere API, and the recorded responses.
 */

import { ATTR_GEN_AI_PROVIDER_NAME } from '@aicost/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  json,
  type MockResponse,
  type MockServer,
  type SSEOptions,
  sse,
} from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { CohereInstrumentation } from '../src/index.js';
import type { CohereInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** A recorded stream (`{ events: [{ event, data }] }`) as the mock server's SSE response. */
export function sseFixture(name: string, options: SSEOptions = {}): MockResponse {
  return sse(fixture<{ events: Array<{ event?: string; data: unknown }> }>(name).events, options);
}

export function jsonFixture(name: string): MockResponse {
  return json(fixture(name));
}

export interface TestBed {
  harness: OtelHarness;
  instrumentation: CohereInstrumentation;
}

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: CohereInstrumentationConfig = {}): TestBed {
  const harness = createOtelHarness();
  const instrumentation = new CohereInstrumentation(config);
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

export type { MockServer };
