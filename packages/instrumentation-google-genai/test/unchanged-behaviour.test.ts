/**
 * `@google/generative-ai`: the application gets the SDK's own promises (the
 * method's, and a stream's `response`), settling on the same tick, and a
 * failed request or a broken stream's `response` is an unhandled rejection
 * exactly when it is one without the instrumentation (checked in child
 * processes: the test runner itself fails on unhandled rejections).
 */
import * as generativeAi from '@google/generative-ai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAndWithoutInstrumentation } from '../../../test/support/instrumentation.js';
import { httpError, json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { describeUnhandledRejectionParity } from '../../../test/support/unhandled-rejections.js';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { geminiRoute, geminiSSE, loadFixture } from './helpers.js';

const FLASH = 'gemini-2.5-flash';

let otel: OtelHarness;
let server: MockServer;
let instrumentation: GoogleGenAIInstrumentation;
/** The promises `generateContent` itself returned, in call order, and the ticks seen on them. */
const sdkPromises: Promise<unknown>[] = [];
let ticks: string[] = [];

function model() {
  return new GoogleGenerativeAI('test-key').getGenerativeModel({ model: FLASH }, { baseUrl: server.url });
}

beforeAll(async () => {
  otel = createOtelHarness();
  server = await startMockServer();
  // A spy under the instrumentation: it sees the SDK's promise before anyone else does.
  const prototype = generativeAi.GenerativeModel.prototype as unknown as {
    generateContent: (...args: unknown[]) => Promise<unknown>;
  };
  const generateContent = prototype.generateContent;
  prototype.generateContent = function spiedGenerateContent(this: unknown, ...args: unknown[]) {
    const promise = generateContent.apply(this, args);
    sdkPromises.push(promise);
    const mark = (name: string) => () => {
      ticks.push(name);
    };
    promise.then(mark('sdk'), mark('sdk')).then(mark('sdk+1')).then(mark('sdk+2'));
    return promise;
  };
  instrumentation = new GoogleGenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(otel.tracerProvider);
  instrumentation.setMeterProvider(otel.meterProvider);
  instrumentation.manuallyInstrument(generativeAi);
});

afterEach(() => {
  server.reset();
  otel.reset();
});

afterAll(async () => {
  await server.close();
  await otel.shutdown();
});

describe("the SDK's own promise", () => {
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(instrumentation, server, respond, scenario);
  }

  it('is what the application gets, and its await resumes on the same tick', async () => {
    const [instrumented, bare] = await both(
      () =>
        server.on(
          'POST',
          geminiRoute(FLASH, 'generateContent'),
          json(loadFixture('generate-content-cached-thinking')),
        ),
      async () => {
        ticks = [];
        const returned = model().generateContent('Why is the sky blue?');
        const same = returned === sdkPromises.at(-1);
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
      () => server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(500)),
      async () => {
        ticks = [];
        const returned = model().generateContent('Why is the sky blue?');
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
    expect(bare).toMatchObject({ same: true, error: 'GoogleGenerativeAIFetchError' });
    expect(instrumented).toEqual(bare);
  });

  it("a stream's response resumes its await on the same tick", async () => {
    const [instrumented, bare] = await both(
      () =>
        server.on(
          'POST',
          geminiRoute(FLASH, 'streamGenerateContent'),
          geminiSSE(loadFixture('generate-content-stream')),
        ),
      async () => {
        const order: string[] = [];
        const result = await model().generateContentStream('Why is the sky blue?');
        // Ticks counted from the first reaction to `response`, registered before the application's.
        result.response.then(() => {
          order.push('first');
          Promise.resolve()
            .then(() => order.push('first+1'))
            .then(() => order.push('first+2'));
        });
        await result.response;
        order.push('app');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return order;
      },
    );
    expect(bare).toContain('app');
    expect(instrumented).toEqual(bare);
    await otel.waitForSpans(1);
  });
});

describeUnhandledRejectionParity({
  packageName: 'instrumentation-google-genai',
  probe: './test/hooks/unhandled-legacy.mjs',
  respond(failing) {
    failing.on('POST', geminiRoute('failing', 'generateContent'), httpError(400));
    const chunks = loadFixture('generate-content-stream');
    failing.on(
      'POST',
      geminiRoute('broken', 'streamGenerateContent'),
      geminiSSE(chunks, { destroyAfter: 1 }),
    );
    failing.on('POST', geminiRoute('whole', 'streamGenerateContent'), geminiSSE(chunks));
  },
  cases: [
    ['a request nobody asks the result of', 'forget', 1, 0],
    ['an awaited request', 'await', 0, 0],
    ['a result asked for after the rejection was reported', 'late', 1, 1],
    ["a broken stream's response nobody asks for", 'stream-forget', 1, 0],
    ["a broken stream's response, awaited", 'stream-await', 0, 0],
    ["a broken stream's response asked for late", 'stream-late', 1, 1],
    ["a whole stream's response nobody asks for", 'stream-ok', 0, 0],
  ],
});
