/**
 * Parity with the real exporter: the same OTLP payload sent (a) to
 * `aicost up`'s own receiver and (b) through the OpenTelemetry Collector built
 * from collector/ (contrib clickhouseexporter over HTTP, `compress: none`)
 * into `aicost up`'s ClickHouse HTTP interface must give identical rows.
 * Skipped when the collector binary has not been built (collector/build.sh), except under CI=true (.ci/run
 * builds it), where a missing binary fails.
 */
import { describe, expect, it } from 'vitest';
import {
  collectorBinary,
  failWithoutCollectorUnderCi,
  makeSpans,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
  startOtelcolInto,
} from './support.js';

const binary = collectorBinary();
const nowNs = BigInt(Date.now()) * 1_000_000n;

/** OTLP/JSON with every attribute value kind, events, links, status and trace state. */
const handMade = JSON.stringify({
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'parity' } },
          { key: 'host.cpus', value: { intValue: '2' } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'hand-made', version: '0.0.1' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              traceState: 'vendor=1',
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: nowNs.toString(),
              endTimeUnixNano: (nowNs + 987_654_321n).toString(),
              attributes: [
                { key: 'str', value: { stringValue: 'a "quoted" <tag> & ü' } },
                { key: 'int', value: { intValue: '-9007199254740993' } },
                { key: 'dbl', value: { doubleValue: 0.1 } },
                { key: 'dbl.whole', value: { doubleValue: 5 } },
                { key: 'dbl.tiny', value: { doubleValue: 1e-7 } },
                { key: 'dbl.huge', value: { doubleValue: 1.5e21 } },
                { key: 'bool', value: { boolValue: true } },
                { key: 'bytes', value: { bytesValue: 'AQL/' } },
                { key: 'empty', value: {} },
                {
                  key: 'arr',
                  value: {
                    arrayValue: {
                      values: [
                        { stringValue: 'x' },
                        { intValue: '3' },
                        { doubleValue: 2.5 },
                        { boolValue: false },
                      ],
                    },
                  },
                },
                {
                  key: 'map',
                  value: {
                    kvlistValue: {
                      values: [
                        { key: 'z', value: { stringValue: '<z>' } },
                        { key: 'a', value: { arrayValue: { values: [{ intValue: '1' }] } } },
                      ],
                    },
                  },
                },
              ],
              events: [
                { timeUnixNano: (nowNs + 1000n).toString(), name: 'first', attributes: [] },
                {
                  timeUnixNano: (nowNs + 2000n).toString(),
                  name: 'second',
                  attributes: [{ key: 'n', value: { intValue: '7' } }],
                },
              ],
              links: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  traceState: 'k=v',
                  attributes: [{ key: 'why', value: { stringValue: 'retry' } }],
                },
              ],
              status: { code: 2, message: 'rate limited' },
            },
          ],
        },
      ],
    },
  ],
});

failWithoutCollectorUnderCi(binary, 'the contrib clickhouse exporter writing into aicost up');

describe.skipIf(!binary)('the contrib clickhouse exporter writing into aicost up', () => {
  it('stores exactly the rows aicost up stores from the same payload', async () => {
    const local = await startCollector({ args: ['--writable'] });
    const otelcol = await startOtelcolInto(local, binary!);
    const log = () => otelcol.output();
    try {
      const sdkSpans = serializeSpans(
        makeSpans([
          {
            attributes: {
              'gen_ai.provider.name': 'openai',
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.usage.input_tokens': 1200,
              'gen_ai.usage.output_tokens': 300,
              'gen_ai.request.temperature': 0.7,
              'gen_ai.response.finish_reasons': ['stop'],
              'aicost.cost.total': '0.006000000',
              'aicost.feature': 'parity',
            },
          },
        ]),
        'protobuf',
      );
      // (a) aicost up's own receiver.
      expect((await postOtlp(local.otlpUrl, handMade, { encoding: 'json' })).status).toBe(200);
      expect((await postOtlp(local.otlpUrl, sdkSpans)).status).toBe(200);
      // (b) the real collector, once its receiver is up.
      const collectorUrl = otelcol.otlpHttpEndpoint;
      for (let i = 0; ; i++) {
        const res = await postOtlp(collectorUrl, handMade, {
          encoding: 'json',
          headers: otelcol.authHeaders,
        }).catch(() => undefined);
        if (res?.status === 200) break;
        if (i > 100) throw new Error(`collector did not start:\n${log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await postOtlp(collectorUrl, sdkSpans, { headers: otelcol.authHeaders })).status).toBe(200);

      // The exporter flushes its batch after 5 s.
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 60 && rows.length < 4; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const out = await runCli([
          'sql',
          '--data-dir',
          local.dataDir,
          'SELECT * FROM otel.otel_traces ORDER BY SpanId FORMAT JSONEachRow',
        ]);
        rows = out.stdout.trim()
          ? out.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l))
          : [];
      }
      expect(rows, log()).toHaveLength(4);
      const bySpan = Map.groupBy(rows, (r) => r.SpanId);
      expect(bySpan.size).toBe(2);
      for (const [, copies] of bySpan) {
        expect(copies).toHaveLength(2);
        expect(copies[0]).toEqual(copies[1]);
      }
      // The request view saw both copies of the GenAI span. A view writes its rows after the
      // exporter's table has its part, within the same insert: poll until the insert is through.
      let parity: Record<string, unknown> | undefined;
      for (let i = 0; i < 30 && parity?.requests !== 2; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 500));
        const report = await runCli([
          'report',
          '--data-dir',
          local.dataDir,
          '--by',
          'feature',
          '--format',
          'json',
        ]);
        parity = JSON.parse(report.stdout).rows.find((row: { feature: string }) => row.feature === 'parity');
      }
      expect(parity).toEqual(
        expect.objectContaining({ feature: 'parity', requests: 2, cost: '0.012000000' }),
      );
    } finally {
      await otelcol.stop();
      expect(await local.stop()).toBe(0);
    }
  }, 90_000);
});
