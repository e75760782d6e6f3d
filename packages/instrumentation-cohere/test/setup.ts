/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * CohereInstrumentation patched onto a given SDK module, a loopback mock of
 * the Cohere API, and the recorded responses.
 */

import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  instrumentWithHarness,
  type TestBed as SharedTestBed,
} from '../../../test/support/instrumentation.js';
import {
  json,
  type MockResponse,
  type MockServer,
  type SSEOptions,
  sse,
} from '../../../test/support/mock-server.js';
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

export type TestBed = SharedTestBed<CohereInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: CohereInstrumentationConfig = {}): TestBed {
  return instrumentWithHarness(() => new CohereInstrumentation(config), sdkModule);
}

export { genAISpans, onlySpan, settle } from '../../../test/support/instrumentation.js';
export type { MockServer };
