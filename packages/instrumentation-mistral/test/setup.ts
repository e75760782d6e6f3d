/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * MistralInstrumentation patched onto a given SDK module, a loopback mock of
 * the Mistral API, and the recorded responses.
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
import { MistralInstrumentation } from '../src/index.js';
import type { MistralInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** A recorded stream (`{ events: [{ data }] }`, `[DONE]` included) as the mock server's SSE response. */
export function sseFixture(name: string, options: SSEOptions = {}): MockResponse {
  return sse(fixture<{ events: Array<{ data: unknown }> }>(name).events, options);
}

export function jsonFixture(name: string): MockResponse {
  return json(fixture(name));
}

/** Retries that happen at once (the SDK's default is no retries). */
export const FAST_RETRIES = {
  strategy: 'backoff' as const,
  backoff: { initialInterval: 1, maxInterval: 5, exponent: 1.1, maxElapsedTime: 5000 },
  retryConnectionErrors: false,
};

export type TestBed = SharedTestBed<MistralInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: MistralInstrumentationConfig = {}): TestBed {
  return instrumentWithHarness(() => new MistralInstrumentation(config), sdkModule);
}

export { genAISpans, onlySpan, settle } from '../../../test/support/instrumentation.js';
export type { MockServer };
