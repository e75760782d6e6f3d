/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * OpenRouterInstrumentation patched onto a given SDK module, a loopback mock of
 * the OpenRouter API, and the recorded responses (shaped like openrouter.ai/docs).
 */

import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  instrumentWithHarness,
  type TestBed as SharedTestBed,
} from '../../../test/support/instrumentation.js';
import { json, type MockResponse, type SSEOptions, sseChunks } from '../../../test/support/mock-server.js';
import { OpenRouterInstrumentation } from '../src/index.js';
import type { OpenRouterInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** The API's path prefix: the SDK's default server is `https://openrouter.ai/api/v1`. */
export const API = '/api/v1';

export function jsonFixture(name: string): MockResponse {
  return json(fixture(name));
}

/** A recorded stream (`{ chunks: [...] }`) as OpenRouter sends it: data-only SSE ending with `[DONE]`. */
export function chatStream(name: string, options: SSEOptions = {}): MockResponse {
  return sseChunks(fixture<{ chunks: unknown[] }>(name).chunks, options);
}

export type TestBed = SharedTestBed<OpenRouterInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(
  sdkModule: unknown,
  config: OpenRouterInstrumentationConfig = {},
): TestBed {
  return instrumentWithHarness(() => new OpenRouterInstrumentation(config), sdkModule);
}

export { settle } from '../../../test/support/instrumentation.js';
