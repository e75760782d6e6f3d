/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * GroqInstrumentation patched onto a given SDK module, a loopback mock of the
 * Groq API, and the recorded responses (shaped like console.groq.com/docs/api-reference).
 */

import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  instrumentWithHarness,
  type TestBed as SharedTestBed,
} from '../../../test/support/instrumentation.js';
import { json, type MockResponse, type SSEOptions, sseChunks } from '../../../test/support/mock-server.js';
import { GroqInstrumentation } from '../src/index.js';
import type { GroqInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

export function jsonFixture(name: string): MockResponse {
  return json(fixture(name));
}

/** A recorded stream (`{ chunks: [...] }`) as Groq sends it: data-only SSE ending with `[DONE]`. */
export function chatStream(name: string, options: SSEOptions = {}): MockResponse {
  return sseChunks(fixture<{ chunks: unknown[] }>(name).chunks, options);
}

export type TestBed = SharedTestBed<GroqInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: GroqInstrumentationConfig = {}): TestBed {
  return instrumentWithHarness(() => new GroqInstrumentation(config), sdkModule);
}

export { settle } from '../../../test/support/instrumentation.js';
