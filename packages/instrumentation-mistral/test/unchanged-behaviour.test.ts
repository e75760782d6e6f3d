/**
 * The application gets the SDK's own promise: the same object, settling on the
 * same tick, and a failed request is an unhandled rejection exactly when it is
 * one without the instrumentation (checked in child processes: the test runner
 * itself fails on unhandled rejections).
 */
import * as sdk from '@mistralai/mistralai';
import { Mistral } from '@mistralai/mistralai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAndWithoutInstrumentation } from '../../../test/support/instrumentation.js';
import { httpError, startMockServer } from '../../../test/support/mock-server.js';
import {
  describeUnhandledRejectionParity,
  promiseCases,
} from '../../../test/support/unhandled-rejections.js';
import { jsonFixture, type MockServer, setUpInstrumentation, type TestBed } from './setup.js';

const CHAT_PATH = '/v1/chat/completions';
const REQUEST = { model: 'mistral-small-latest', messages: [{ role: 'user' as const, content: 'Hi' }] };

let bed: TestBed;
let server: MockServer;
let client: Mistral;
/** The promises `chat.complete` itself returned, in call order, and the ticks seen on them. */
const sdkPromises: Promise<unknown>[] = [];
let ticks: string[] = [];

beforeAll(async () => {
  server = await startMockServer();
  client = new Mistral({ apiKey: 'test-key', serverURL: server.url });
  // A spy under the instrumentation: it sees the SDK's promise before anyone else does.
  const chat = Object.getPrototypeOf(client.chat) as { complete: (...args: unknown[]) => Promise<unknown> };
  const complete = chat.complete;
  chat.complete = function spiedComplete(this: unknown, ...args: unknown[]) {
    const promise = complete.apply(this, args);
    sdkPromises.push(promise);
    const mark = (name: string) => () => {
      ticks.push(name);
    };
    promise.then(mark('sdk'), mark('sdk')).then(mark('sdk+1')).then(mark('sdk+2'));
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

  it('is what the application gets, and its await resumes on the same tick', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', CHAT_PATH, jsonFixture('chat-basic')),
      async () => {
        ticks = [];
        const returned = client.chat.complete(REQUEST);
        const same = returned === sdkPromises.at(-1);
        await returned;
        ticks.push('app');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { same, ticks, prototype: Object.getPrototypeOf(returned) === Promise.prototype };
      },
    );
    expect(bare).toEqual({ same: true, ticks: ['sdk', 'app', 'sdk+1', 'sdk+2'], prototype: true });
    expect(instrumented).toEqual(bare);
  });

  it('rejects on the same tick, with the same error', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', CHAT_PATH, httpError(500)),
      async () => {
        ticks = [];
        const returned = client.chat.complete(REQUEST);
        const same = returned === sdkPromises.at(-1);
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
    expect(bare).toEqual({ same: true, ticks: ['sdk', 'app', 'sdk+1', 'sdk+2'], error: 'SDKError' });
    expect(instrumented).toEqual(bare);
  });

  it('still makes the span', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    await client.chat.complete(REQUEST);
    await bed.harness.waitForSpans(1);
    expect(bed.harness.spans().map((span) => span.name)).toEqual(['chat mistral-small-latest']);
  });
});

describeUnhandledRejectionParity({
  packageName: 'instrumentation-mistral',
  respond: (failing) => failing.on('POST', CHAT_PATH, httpError(400)),
  reason: 'SDKError',
  cases: promiseCases(),
});
