/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * OllamaInstrumentation patched onto a given SDK module, a loopback mock of the
 * Ollama API, and the recorded responses (shaped like github.com/ollama/ollama docs/api.md).
 */

import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  instrumentWithHarness,
  type TestBed as SharedTestBed,
} from '../../../test/support/instrumentation.js';
import { json, type MockResponse, type StreamOptions } from '../../../test/support/mock-server.js';
import { OllamaInstrumentation } from '../src/index.js';
import type { OllamaInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

export function jsonFixture(name: string): MockResponse {
  return json(fixture(name));
}

/**
 * A recorded stream (`{ lines: [...] }`) as Ollama sends it: newline-delimited JSON
 * (`application/x-ndjson`), one write per object unless `options` split or cut it.
 */
export function ndjsonFixture(name: string, options: StreamOptions = {}): MockResponse {
  return {
    kind: 'frames',
    status: 200,
    headers: { 'content-type': 'application/x-ndjson' },
    frames: fixture<{ lines: unknown[] }>(name).lines.map((line) => Buffer.from(`${JSON.stringify(line)}\n`)),
    options,
  };
}

export type TestBed = SharedTestBed<OllamaInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: OllamaInstrumentationConfig = {}): TestBed {
  return instrumentWithHarness(() => new OllamaInstrumentation(config), sdkModule);
}

export { settle } from '../../../test/support/instrumentation.js';
