/**
 * What every test file of this package shares: an in-memory OTel harness, one
 * BedrockInstrumentation patched onto the SDK module, the real
 * BedrockRuntimeClient pointed at a loopback mock of the Bedrock runtime API,
 * and the recorded responses (streams as real AWS event-stream frames).
 */

import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import {
  instrumentWithHarness,
  type TestBed as SharedTestBed,
} from '../../../test/support/instrumentation.js';
import {
  eventStream,
  json,
  type MockResponse,
  type MockServer,
  type StreamOptions,
} from '../../../test/support/mock-server.js';
import { BedrockInstrumentation } from '../src/index.js';
import type { BedrockInstrumentationConfig } from '../src/types.js';

export const fixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/** Routes of the Bedrock runtime API (the model id is one URL-encoded path segment). */
export const ROUTES = {
  converse: /^\/model\/[^/]+\/converse$/,
  converseStream: /^\/model\/[^/]+\/converse-stream$/,
  invoke: /^\/model\/[^/]+\/invoke$/,
  invokeStream: /^\/model\/[^/]+\/invoke-with-response-stream$/,
} as const;

export const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/**
 * The real client against the mock server. Bedrock's default handler speaks
 * HTTP/2; the loopback server speaks HTTP/1.1, hence the SDK's own HTTP/1.1 handler.
 */
export function bedrockClient(
  server: MockServer,
  config: BedrockRuntimeClientConfig = {},
): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    ...config,
  });
}

/** A JSON response with Bedrock's request id (and any token-count headers). */
export function awsJson(body: unknown, headers: Record<string, string> = {}): MockResponse {
  return json(body, { headers: { 'x-amzn-requestid': 'b7a3c6d2-1f0e-4c4b-9a51-6f3e2d1c0b9a', ...headers } });
}

/** An AWS JSON error: the SDK picks the exception class from `x-amzn-errortype`. */
export function awsError(status: number, errorType: string, body: unknown): MockResponse {
  return json(body, {
    status,
    headers: {
      'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    },
  });
}

/** A recorded ConverseStream (`{ events: [{ eventType, payload }] }`) as event-stream frames. */
export function converseStreamFixture(name: string, options: StreamOptions = {}): MockResponse {
  return eventStream(
    fixture<{ events: Array<{ eventType: string; payload: unknown }> }>(name).events,
    options,
  );
}

/** A recorded InvokeModelWithResponseStream (`{ chunks: [event] }`): each chunk's JSON base64-encoded in a `chunk` frame. */
export function invokeStreamFixture(name: string, options: StreamOptions = {}): MockResponse {
  return invokeStreamOf(fixture<{ chunks: unknown[] }>(name).chunks, options);
}

/** Model events as InvokeModelWithResponseStream sends them: `chunk` frames with the JSON base64-encoded. */
export function invokeStreamOf(chunks: unknown[], options: StreamOptions = {}): MockResponse {
  return eventStream(
    chunks.map((chunk) => ({
      eventType: 'chunk',
      payload: { bytes: Buffer.from(JSON.stringify(chunk)).toString('base64') },
    })),
    options,
  );
}

export type TestBed = SharedTestBed<BedrockInstrumentation>;

/** Registers the harness globally and patches `sdkModule` (a module namespace) with a fresh instrumentation. */
export function setUpInstrumentation(sdkModule: unknown, config: BedrockInstrumentationConfig = {}): TestBed {
  return instrumentWithHarness(() => new BedrockInstrumentation(config), sdkModule);
}

export { onlySpan, settle } from '../../../test/support/instrumentation.js';
export type { MockServer };
