/**
 * One Vercel AI SDK call, one request row, through the production path: the real `ai` and
 * `@ai-sdk/openai` (with @ai-sdk/otel's OpenTelemetry integration and @aicost/core's span
 * processors) against a loopback OpenAI server; the spans sent over OTLP to the
 * OpenTelemetry Collector built from collector/ (contrib clickhouseexporter), which writes them
 * into `aicost up`'s ClickHouse HTTP interface. `generateText` and `streamText` each leave
 * several spans in otel_traces (invoke_agent, the step, the model call) and exactly one row,
 * priced, in otel.aicost_requests.
 * Skipped when the collector binary has not been built (collector/build.sh), except under
 * CI=true, where a missing binary fails.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_WITH_CACHE, chatCompletionWithCache } from '../foreign-spans/openai-fixture.js';
import { type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';
import {
  CHILD_PROCESS_TIMEOUT,
  type Collector,
  collectorBinary,
  failWithoutCollectorUnderCi,
  type Otelcol,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
  startOtelcolInto,
} from './support.js';

const binary = collectorBinary();

failWithoutCollectorUnderCi(binary, 'Vercel AI SDK through the real collector');

describe.skipIf(!binary)('Vercel AI SDK through the real collector into the schema', () => {
  let server: MockServer;
  let otel: OtelHarness;
  let local: Collector;
  let otelcol: Otelcol;

  beforeAll(async () => {
    server = await startMockServer();
    server.on('POST', '/v1/chat/completions', chatCompletionWithCache);
    otel = createOtelHarness();
    local = await startCollector({ args: ['--writable'] });
    otelcol = await startOtelcolInto(local, binary!);
  }, CHILD_PROCESS_TIMEOUT);

  afterAll(async () => {
    await otelcol?.stop();
    await local?.stop();
    await otel?.shutdown();
    await server?.close();
  });

  function model() {
    return createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` }).chat('gpt-4o-mini');
  }

  /** Runs `call` and sends the spans it made to the collector over OTLP (protobuf), as the SDK's exporter does. */
  async function exportThroughCollector(call: () => Promise<unknown>): Promise<ReadableSpan[]> {
    otel.reset();
    await call();
    const spans = otel.spans() as ReadableSpan[];
    const body = serializeSpans(spans, 'protobuf');
    for (let i = 0; ; i++) {
      const res = await postOtlp(otelcol.otlpHttpEndpoint, body, { headers: otelcol.authHeaders }).catch(
        () => undefined,
      );
      if (res?.status === 200) break;
      if (i > 150) throw new Error(`collector did not accept the spans:\n${otelcol.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return spans;
  }

  async function sql<T>(query: string): Promise<T[]> {
    const out = await runCli(['sql', '--data-dir', local.dataDir, `${query} FORMAT JSONEachRow`]);
    expect(out.code, out.stderr).toBe(0);
    return out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);
  }

  it(
    'generateText and streamText: every span lands in otel_traces, one priced request row per call',
    async () => {
      const generated = await exportThroughCollector(() =>
        generateText({
          model: model(),
          prompt: 'What is the capital of France?',
          telemetry: { integrations: [new OpenTelemetry()] },
        }),
      );
      const streamed = await exportThroughCollector(async () => {
        const result = streamText({
          model: model(),
          prompt: 'What is the capital of France?',
          telemetry: { integrations: [new OpenTelemetry()] },
        });
        let text = '';
        for await (const part of result.textStream) text += part;
        expect(text).toBe('The capital of France is Paris.');
      });
      const traces = [generated, streamed].map((spans) => {
        const ids = new Set(spans.map((span) => span.spanContext().traceId));
        expect(ids.size).toBe(1);
        expect(spans.length).toBeGreaterThan(1);
        return { traceId: [...ids][0]!, spans: spans.length };
      });
      const inList = traces.map((t) => `'${t.traceId}'`).join(', ');

      // The exporter flushes its batch after a few seconds.
      let stored: { TraceId: string; n: string }[] = [];
      for (let i = 0; i < 120; i++) {
        stored = await sql(
          `SELECT TraceId, toString(count()) AS n FROM otel.otel_traces WHERE TraceId IN (${inList}) GROUP BY TraceId`,
        );
        if (
          stored.length === 2 &&
          traces.every((t) => stored.some((s) => s.TraceId === t.traceId && Number(s.n) === t.spans))
        )
          break;
        await new Promise((r) => setTimeout(r, 500));
      }
      for (const trace of traces) {
        expect(stored, otelcol.output()).toContainEqual({ TraceId: trace.traceId, n: String(trace.spans) });
      }
      // The request views write in the same insert; poll in case the read came first.
      let rows: { trace_id: string; operation: string; cost_status: string; cost: string }[] = [];
      for (let i = 0; i < 20 && rows.length < 2; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 500));
        rows = await sql(
          `SELECT trace_id, operation, cost_status, toString(cost_total) AS cost FROM otel.aicost_requests WHERE trace_id IN (${inList})`,
        );
      }
      expect(rows).toHaveLength(2);
      for (const trace of traces) {
        const own = rows.filter((row) => row.trace_id === trace.traceId);
        expect(own).toHaveLength(1);
        // toString of a Decimal drops trailing zeros; the amount itself is exact.
        expect(own[0]).toMatchObject({
          operation: 'chat',
          cost_status: 'priced',
          cost: COST_WITH_CACHE.replace(/\.?0+$/, ''),
        });
      }
    },
    CHILD_PROCESS_TIMEOUT * 2,
  );
});
