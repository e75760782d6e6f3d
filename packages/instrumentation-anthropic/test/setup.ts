/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * AnthropicInstrumentation patched onto a given SDK module, a loopback mock of
 * the Anthropic API, and the recorded responses.
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
import { AnthropicInstrumentation } from '../src/index.js';
import type { AnthropicInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** A recorded stream (`{ events: [{ event, data }] }`) as the mock server's SSE response. */
export function sseFixture(name: string, options: SSEOptions = {}): MockResponse {
  return sse(fixture<{ events: Array<{ event: string; data: unknown }> }>(name).events, options);
}

export function messageFixture(name: string): MockResponse {
  return json(fixture(name), { headers: { 'request-id': `req_${name}` } });
}

export type TestBed = SharedTestBed<AnthropicInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(
  sdkModule: unknown,
  config: AnthropicInstrumentationConfig = {},
): TestBed {
  return instrumentWithHarness(() => new AnthropicInstrumentation(config), sdkModule);
}

export { genAISpans, onlySpan, settle } from '../../../test/support/instrumentation.js';
export type { MockServer };
