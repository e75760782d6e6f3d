/**
 * One instrumented process for a test file: the in-memory OTel harness, the
 * loopback mock server, and OpenAIInstrumentation patched onto both supported
 * SDK majors (openai 7 and openai 6, installed as `openai-v6`).
 */

import * as openai7 from 'openai';
import * as openai6 from 'openai-v6';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import { type MockServer, sse, sseChunks, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { OpenAIInstrumentation, type OpenAIInstrumentationConfig } from '../src/index.js';

export const SDKS = [
  {
    name: 'openai 7',
    module: openai7 as any,
    OpenAI: openai7.OpenAI as any,
    AzureOpenAI: openai7.AzureOpenAI as any,
  },
  {
    name: 'openai 6',
    module: openai6 as any,
    OpenAI: openai6.OpenAI as any,
    AzureOpenAI: openai6.AzureOpenAI as any,
  },
] as const;
export type SDK = (typeof SDKS)[number];

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** The chunks of a chat stream fixture as an SSE response. */
export const chatStream = (name: string, options = {}) => sseChunks(fixture(name).chunks, options);
/** A Responses stream fixture (named events) as an SSE response. */
export const responseStream = (name: string, options = {}) => sse(fixture(name).events, options);

export interface TestContext {
  otel: OtelHarness;
  server: MockServer;
  instrumentation: OpenAIInstrumentation;
  /** A client of `sdk` talking to the mock server, retries instant. */
  client(sdk: SDK, options?: Record<string, unknown>): any;
  /** Removes the patches (for runs without instrumentation). */
  unpatch(): void;
  /** Puts the patches back. */
  patch(): void;
  close(): Promise<void>;
}

export async function setup(config: OpenAIInstrumentationConfig = {}): Promise<TestContext> {
  const otel = createOtelHarness();
  const server = await startMockServer();
  const instrumentation = new OpenAIInstrumentation(config);
  instrumentation.setTracerProvider(otel.tracerProvider);
  instrumentation.setMeterProvider(otel.meterProvider);
  // Vitest loads modules itself, so the require/import hooks never see them:
  // apply the module definitions the hooks would apply.
  const definitions = instrumentation.getModuleDefinitions();
  const patch = () => {
    for (const sdk of SDKS) for (const definition of definitions) definition.patch?.(sdk.module, '0.0.0');
  };
  const unpatch = () => {
    for (const sdk of SDKS) for (const definition of definitions) definition.unpatch?.(sdk.module, '0.0.0');
  };
  patch();
  return {
    otel,
    server,
    instrumentation,
    client: (sdk, options = {}) =>
      new sdk.OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, ...options }),
    patch,
    unpatch,
    async close() {
      unpatch();
      await server.close();
      await otel.shutdown();
    },
  };
}

/** Lets pending callbacks (span ends after a stream or a raw read) run. */
export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));
