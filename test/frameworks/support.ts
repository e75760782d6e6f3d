/**
 * What the agent-framework suites share (`useFrameworkSuite`): aicost set up the way an
 * application does it (`register()` of @aicost/node, before any provider SDK is loaded), spans
 * kept in memory, a loopback provider API (the instrumentation packages' recorded responses),
 * the real schema on the embedded engine with the catalogue's prices, and the export of a
 * run's spans into it as the clickhouseexporter writes rows.
 *
 * The frameworks are loaded with `require` after `register()`: a CommonJS application
 * calling `register()` first, so require-in-the-middle patches the provider SDK the
 * framework itself requires (`openai`, `@anthropic-ai/sdk`), whatever copy that is.
 */
import { createRequire } from 'node:module';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createPricer, exportPriceAliases, exportPriceRows } from '../../packages/core/src/pricing/index.js';
import { register } from '../../packages/node/src/index.js';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import {
  type EngineSession,
  exporterSpanOf,
  type FinishedSpan,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { fixtureLoader } from '../support/fixtures.js';
import {
  createMockServer,
  json,
  type MockResponse,
  type MockServer,
  type RecordedRequest,
  sseChunks,
} from '../support/mock-server.js';

export const requireFromTest = createRequire(import.meta.url);

/** The instrumentations `register()` loads are run from their build. */
function buildInstrumentations(...names: string[]): void {
  ensureBuilt('core', ...names.map((name) => `instrumentation-${name}`));
}

export const COST_STATUS = 'aicost.cost.status';

/** Spans the cost processor or an aicost instrumentation priced (or tried to). */
export function costedSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.attributes[COST_STATUS] !== undefined);
}

export interface RequestRow {
  span_name: string;
  operation: string;
  model: string;
  feature: string;
  customer: string;
  cost_status: string;
  cost_total: string | null;
}

/** The real schema, migrated, with the catalogue's prices loaded (what `aicost up` starts with). */
async function openPricedSchema(): Promise<EngineSession> {
  const engine = await openMigratedEngine();
  const pricer = createPricer({ pricesFile: false });
  await loadPriceRows(engine, exportPriceRows({ pricer }), exportPriceAliases({ pricer }));
  return engine;
}

/** Writes `spans` into `otel.otel_traces` as the exporter does and returns the request rows of their traces. */
async function requestRowsOf(engine: EngineSession, spans: readonly ReadableSpan[]): Promise<RequestRow[]> {
  await insertSpans(
    engine,
    spans.map((span) => exporterSpanOf(span as unknown as FinishedSpan)),
  );
  const traces = [...new Set(spans.map((span) => span.spanContext().traceId))];
  return engine.query<RequestRow>(
    `SELECT span_name, operation, model, feature, customer, cost_status, cost_total
     FROM otel.aicost_requests
     WHERE trace_id IN (${traces.map((id) => `'${id}'`).join(', ')})
     ORDER BY timestamp, span_name`,
  );
}

/** The recorded responses of an instrumentation package's own tests (`openai`, `anthropic`). */
export function providerFixture(provider: string) {
  return fixtureLoader(
    new URL(`../../packages/instrumentation-${provider}/test/mock-responses/`, import.meta.url),
  );
}

const openaiFixture = providerFixture('openai');

/**
 * OpenAI chat completions for a tool loop: a tool call until the tool's result is in the
 * conversation, then the answer; a stream (with usage) when one is asked for.
 */
export function openaiChatToolLoop(request: RecordedRequest): MockResponse {
  if (request.body.stream) return sseChunks(openaiFixture('chat-stream-include-usage').chunks);
  const answered = request.body.messages.some((message: { role: string }) => message.role === 'tool');
  if (request.body.tools && !answered) return json(openaiFixture('chat-completion-tool-call'));
  return json(openaiFixture('chat-completion'));
}

/** A Responses API answer that calls a function (the documented shape of a `function_call` output item). */
export function functionCallResponse(name: string, args: string) {
  return {
    ...openaiFixture('response'),
    id: 'resp_function_call_1',
    output: [
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name,
        arguments: args,
        status: 'completed',
      },
    ],
    usage: {
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 140,
    },
  };
}

export interface FrameworkSuiteOptions {
  /** `register()`'s service name. */
  serviceName: string;
  /** The aicost instrumentations the framework's calls go through (`openai`, `anthropic`), built first. */
  instrumentations: string[];
  /** Scripts the loopback provider API. */
  respond: (server: MockServer) => void;
  /** Runs before each test's reset: e.g. a framework's own exporter sending what earlier tests left. */
  beforeReset?: () => Promise<unknown>;
}

export interface FrameworkSuite {
  /** The loopback provider API (listening from `beforeAll` on). */
  server: MockServer;
  /** Every span the run exported, after a flush. */
  exported(): Promise<ReadableSpan[]>;
  /** `requestRowsOf` on the suite's priced schema. */
  requestRows(spans: readonly ReadableSpan[]): Promise<RequestRow[]>;
}

/**
 * A framework suite's set-up, called at the top of its file before the framework is required:
 * the instrumentations built, aicost registered as an application registers it (spans kept in
 * memory); the loopback server and the priced schema open for the file's tests (a file's own
 * `beforeAll` runs after, with the server listening); before each test, no spans and no
 * recorded requests; after all, aicost shut down and everything closed.
 */
export function useFrameworkSuite({
  serviceName,
  instrumentations,
  respond,
  beforeReset,
}: FrameworkSuiteOptions): FrameworkSuite {
  buildInstrumentations(...instrumentations);
  const exporter = new InMemorySpanExporter();
  const aicost = register({ serviceName, traceExporter: exporter, metricReaders: [], exitHooks: false });
  const server = createMockServer();
  let engine: EngineSession | undefined;

  beforeAll(async () => {
    await server.listen();
    respond(server);
    engine = await openPricedSchema();
  }, 180_000);
  afterAll(async () => {
    await aicost.shutdown();
    await server.close();
    await engine?.close();
  });
  beforeEach(async () => {
    await beforeReset?.();
    exporter.reset();
    server.requests.length = 0;
  });

  return {
    server,
    async exported() {
      await aicost.forceFlush();
      return exporter.getFinishedSpans() as ReadableSpan[];
    },
    requestRows(spans) {
      if (!engine) throw new Error('the schema opens in beforeAll');
      return requestRowsOf(engine, spans);
    },
  };
}
