/**
 * The SDK wraps the very promise its internal method returned in the
 * `HttpResponsePromise` the application gets, settling on the same tick, and a
 * failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (checked in child processes: the test runner itself fails on
 * unhandled rejections).
 */
import * as sdk from 'cohere-ai';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAndWithoutInstrumentation } from '../../../test/support/instrumentation.js';
import { httpError, startMockServer } from '../../../test/support/mock-server.js';
import {
  describeUnhandledRejectionParity,
  promiseCases,
} from '../../../test/support/unhandled-rejections.js';
import { jsonFixture, type MockServer, setUpInstrumentation, type TestBed } from './setup.js';

const CHAT_PATH = '/v2/chat';
const REQUEST = { model: 'command-a-03-2025', messages: [{ role: 'user' as const, content: 'Hi' }] };
const NO_RETRIES = { maxRetries: 0 };

let bed: TestBed;
let server: MockServer;
let client: CohereClientV2;
/** The promises the SDK's internal `__chat` itself returned, in call order, and the ticks seen on them. */
const sdkPromises: Promise<unknown>[] = [];
let ticks: string[] = [];

beforeAll(async () => {
  server = await startMockServer();
  client = new CohereClientV2({ token: 'test-key', environment: server.url });
  // A spy under the instrumentation: it sees the SDK's promise before anyone else does.
  const v2 = Object.getPrototypeOf(new CohereClient({ token: 'test-key' }).v2) as {
    __chat: (...args: unknown[]) => Promise<unknown>;
  };
  const chat = v2.__chat;
  v2.__chat = function spiedChat(this: unknown, ...args: unknown[]) {
    const promise = chat.apply(this, args);
    sdkPromises.push(promise);
    const mark = (name: string) => () => {
      ticks.push(name);
    };
    promise.then(mark('sdk'), mark('sdk')).then(mark('sdk+1')).then(mark('sdk+2')).then(mark('sdk+3'));
    return promise;
  };
  bed = setUpInstrumentation(sdk);
});

afterEach(() => {
  server.reset();
  bed.harness.reset();
  bed.instrumentation.enable();
});

afterAll(async () => {
  await server.close();
  await bed.harness.shutdown();
});

describe("the SDK's own promise", () => {
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);
  }

  it('is what the SDK hands the application, and its await resumes on the same tick', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', CHAT_PATH, jsonFixture('chat-basic')),
      async () => {
        ticks = [];
        const returned = client.chat(REQUEST, NO_RETRIES);
        const same = (returned as unknown as { innerPromise: unknown }).innerPromise === sdkPromises.at(-1);
        await returned;
        ticks.push('app');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { same, ticks };
      },
    );
    expect(bare.same).toBe(true);
    expect(bare.ticks).toContain('app');
    expect(instrumented).toEqual(bare);
  });

  it('rejects on the same tick, with the same error', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', CHAT_PATH, httpError(500)),
      async () => {
        ticks = [];
        const returned = client.chat(REQUEST, NO_RETRIES);
        const same = (returned as unknown as { innerPromise: unknown }).innerPromise === sdkPromises.at(-1);
        let error: unknown;
        try {
          await returned;
        } catch (caught) {
          error = caught;
        }
        ticks.push('app');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { same, ticks, error: (error as Error).constructor.name };
      },
    );
    expect(bare).toMatchObject({ same: true, error: 'InternalServerError' });
    expect(instrumented).toEqual(bare);
  });

  it('still makes the span', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    await client.chat(REQUEST, NO_RETRIES);
    await bed.harness.waitForSpans(1);
    expect(bed.harness.spans().map((span) => span.name)).toEqual(['chat command-a-03-2025']);
  });
});

describeUnhandledRejectionParity({
  packageName: 'instrumentation-cohere',
  respond: (failing) => failing.on('POST', CHAT_PATH, httpError(400)),
  reason: 'BadRequestError',
  cases: promiseCases(['withRawResponse()', 'raw', 0, 0]),
});
