/**
 * `aicost up` as users run it: a child process on loopback ports receiving
 * OTLP from the real SDK's serializers, answering `aicost report`/`aicost sql`
 * and ClickHouse clients from the same store.
 */
import { createClient } from '@clickhouse/client';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  type Collector,
  makeSpans,
  postOtlp,
  runCli,
  type SpanSpec,
  serializeSpans,
  startCollector,
  sumUsd,
} from './support.js';

/** A GenAI call as @aicost instrumentations record it. */
function call(
  feature: string,
  customer: string,
  cost: string | undefined,
  extra: Record<string, any> = {},
): SpanSpec {
  const attributes: Record<string, any> = {
    'gen_ai.provider.name': 'openai',
    'gen_ai.operation.name': 'chat',
    // A fine-tune priced by the SDK's overrides: the catalogue has no price to hold these odd
    // amounts against (packages/schema/sql/016_cost_trust.sql keeps them as sent).
    'gen_ai.request.model': cost ? 'my-finetune-z' : 'my-finetune-x',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 200,
    'aicost.feature': feature,
    'aicost.customer': customer,
    'aicost.cost.status': cost ? 'priced' : 'unpriced',
    ...extra,
  };
  if (cost) attributes['aicost.cost.total'] = cost;
  else attributes['aicost.cost.status_reason'] = 'unknown_model';
  return { name: `chat ${attributes['gen_ai.request.model']}`, attributes };
}

const BATCHES: { encoding: 'protobuf' | 'json'; gzip: boolean; calls: SpanSpec[] }[] = [
  {
    encoding: 'protobuf',
    gzip: false,
    calls: [
      call('search', 'acme', '0.004500000'),
      call('search', 'acme', '0.001234567'),
      call('chat', 'acme', '0.000000001'),
    ],
  },
  {
    encoding: 'json',
    gzip: false,
    calls: [call('search', 'globex', '0.120000000'), call('search', 'globex', undefined)],
  },
  {
    encoding: 'json',
    gzip: true,
    calls: [call('chat', 'globex', '0.000333333'), call('chat', 'acme', '1.000000000')],
  },
  {
    encoding: 'protobuf',
    gzip: true,
    calls: [call('search', 'acme', '0.000000999'), call('chat', 'globex', undefined)],
  },
];

function expectedBy(key: (c: SpanSpec) => string) {
  const groups = new Map<string, { requests: number; unpriced: number; costs: string[] }>();
  for (const b of BATCHES) {
    for (const c of b.calls) {
      const g = groups.get(key(c)) ?? { requests: 0, unpriced: 0, costs: [] };
      g.requests++;
      const cost = c.attributes['aicost.cost.total'] as string | undefined;
      if (cost) g.costs.push(cost);
      else g.unpriced++;
      groups.set(key(c), g);
    }
  }
  return groups;
}

describe('aicost up', { timeout: CHILD_PROCESS_TIMEOUT }, () => {
  let collector: Collector;

  beforeAll(async () => {
    collector = await startCollector();
    for (const b of BATCHES) {
      const res = await postOtlp(collector.otlpUrl, serializeSpans(makeSpans(b.calls), b.encoding), b);
      expect(res.status, res.body.toString()).toBe(200);
    }
  });

  afterAll(async () => {
    expect(await collector?.stop('SIGTERM')).toBe(0);
  });

  it('reports exact cost per feature and customer, unpriced requests counted apart', async () => {
    const res = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature',
      '--by',
      'customer',
      '--since',
      '1d',
      '--format',
      'json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    const expected = expectedBy(
      (c) => `${c.attributes['aicost.feature']}/${c.attributes['aicost.customer']}`,
    );
    expect(report.rows).toHaveLength(expected.size);
    for (const row of report.rows) {
      const e = expected.get(`${row.feature}/${row.customer}`)!;
      expect(row.requests).toBe(e.requests);
      expect(row.unpriced_requests).toBe(e.unpriced);
      expect(row.cost).toBe(e.costs.length ? sumUsd(e.costs) : null);
    }
    // Rows come most expensive first.
    expect(report.rows[0]).toMatchObject({ feature: 'chat', customer: 'acme' });
    const all = BATCHES.flatMap((b) => b.calls);
    expect(report.totals.requests).toBe(all.length);
    expect(report.totals.unpriced_requests).toBe(2);
    expect(report.totals.cost).toBe(
      sumUsd(
        all
          .map((c) => c.attributes['aicost.cost.total'] as string | undefined)
          .filter((c): c is string => !!c),
      ),
    );
  });

  it('groups a globex feature that has only unpriced calls as unpriced, never $0', async () => {
    const res = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'customer,model',
      '--format',
      'json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const rows = JSON.parse(res.stdout).rows;
    const finetune = rows.filter((r: any) => r.model === 'my-finetune-x');
    expect(finetune.length).toBeGreaterThan(0);
    for (const r of finetune) {
      expect(r.cost).toBeNull();
      expect(r.cost_per_request).toBeNull();
      expect(r.unpriced_requests).toBe(r.requests);
    }
    const table = await runCli(['report', '--data-dir', collector.dataDir, '--by', 'feature']);
    expect(table.stdout).toMatch(/unpriced/);
    expect(table.stdout).toMatch(/2 request\(s\) have no price/);
  });

  it('prints per-feature cost per request from Decimal, rounded, with the exact value in JSON', async () => {
    const res = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature',
      '--format',
      'csv',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const [header, ...lines] = res.stdout.trim().split('\n');
    expect(header).toBe('feature,requests,unpriced,cost_usd,cost_per_request_usd,input_tokens,output_tokens');
    const expected = expectedBy((c) => c.attributes['aicost.feature'] as string);
    for (const line of lines) {
      const [feature, requests, unpriced, cost, perRequest] = line.split(',');
      const e = expected.get(feature!)!;
      expect(Number(requests)).toBe(e.requests);
      expect(Number(unpriced)).toBe(e.unpriced);
      expect(cost).toBe(sumUsd(e.costs));
      const nanos = BigInt(sumUsd(e.costs).replace('.', ''));
      const n = BigInt(e.costs.length);
      const rounded = (2n * nanos + n) / (2n * n);
      expect(BigInt(perRequest!.replace('.', ''))).toBe(rounded);
    }
  });

  it('stores spans exactly as the contrib clickhouse exporter does', async () => {
    const spans = makeSpans(
      [
        {
          name: 'chat gpt-4o-mini',
          kind: SpanKind.CLIENT,
          error: 'rate limited',
          durationNs: 1_234_567_891,
          attributes: {
            'gen_ai.usage.input_tokens': 42,
            'x.double': 0.25,
            'x.whole_double': 5.0,
            'x.tiny': 1e-7,
            'x.bool': true,
            'x.list': ['a', 'b'],
            'x.nums': [1, 2.5],
            'aicost.feature': 'conventions',
          },
          events: [{ name: 'retry', attributes: { attempt: 2 } }],
        },
      ],
      { 'service.name': 'conv-svc', 'deployment.environment.name': 'test' },
    );
    const res = await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'));
    expect(res.status).toBe(200);
    const span = spans[0]!;
    const out = await runCli([
      'sql',
      '--data-dir',
      collector.dataDir,
      '--format',
      'json',
      `SELECT TraceId, SpanId, ParentSpanId, SpanKind, StatusCode, StatusMessage, Duration, ServiceName, ScopeName, ScopeVersion,
              SpanAttributes, ResourceAttributes['deployment.environment.name'] AS env, Events.Name, Events.Attributes,
              toUnixTimestamp64Nano(Timestamp) AS start_ns
       FROM otel.otel_traces WHERE SpanAttributes['aicost.feature'] = 'conventions'`,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const [row] = JSON.parse(out.stdout);
    expect(row).toMatchObject({
      TraceId: span.spanContext().traceId,
      SpanId: span.spanContext().spanId,
      ParentSpanId: '',
      SpanKind: 'Client',
      StatusCode: 'Error',
      StatusMessage: 'rate limited',
      Duration: '1234567891',
      ServiceName: 'conv-svc',
      ScopeName: 'aicost-test',
      ScopeVersion: '1.2.3',
      env: 'test',
      'Events.Name': "['retry']",
      'Events.Attributes': "[{'attempt':'2'}]",
    });
    const startNs = BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]);
    expect(row.start_ns).toBe(startNs.toString());
    // pdata AsString(): ints and whole doubles as integers, doubles ES6-style, arrays as JSON.
    expect(row.SpanAttributes).toBe(
      "{'gen_ai.usage.input_tokens':'42','x.double':'0.25','x.whole_double':'5','x.tiny':'1e-7','x.bool':'true','x.list':'[\"a\",\"b\"]','x.nums':'[1,2.5]','aicost.feature':'conventions'}",
    );
  });

  it('answers the official @clickhouse/client over the ClickHouse HTTP interface', async () => {
    const client = createClient({
      url: collector.clickhouseUrl,
      username: 'default',
      password: collector.password,
      compression: { response: true },
    });
    try {
      expect((await client.ping()).success).toBe(true);
      const rows = await (
        await client.query({
          query: `SELECT feature, toString(sum(cost_total)) AS cost, count() AS n
                  FROM otel.aicost_requests WHERE customer = {customer:String} GROUP BY feature ORDER BY feature`,
          query_params: { customer: 'acme' },
          format: 'JSONEachRow',
        })
      ).json<{ feature: string; cost: string; n: string }>();
      const expected = expectedBy((c) =>
        c.attributes['aicost.customer'] === 'acme' ? (c.attributes['aicost.feature'] as string) : '',
      );
      expect(rows).toEqual(
        ['chat', 'search'].map((f) => ({
          feature: f,
          cost: sumUsd(expected.get(f)!.costs).replace(/\.?0+$/, ''),
          n: String(expected.get(f)!.requests),
        })),
      );
      const json = await (await client.query({ query: 'SELECT 1 AS one', format: 'JSON' })).json<any>();
      expect(json.data).toEqual([{ one: 1 }]);
      expect(json.meta).toEqual([{ name: 'one', type: 'UInt8' }]);
      const csv = await (await client.query({ query: "SELECT 'a,b' AS s, 2 AS n", format: 'CSV' })).text();
      expect(csv).toBe('"a,b",2\n');
      // Read-only by default: DDL is refused with ClickHouse's READONLY error.
      await expect(
        client.command({ query: 'CREATE TABLE default.x (a UInt8) ENGINE = Memory' }),
      ).rejects.toThrow(/readonly|read-only/i);
      // The engine's own errors come back as ClickHouse errors.
      await expect(
        client.query({ query: 'SELECT * FROM otel.no_such_table', format: 'JSON' }),
      ).rejects.toThrow(/no_such_table/);
    } finally {
      await client.close();
    }
  });

  it('serves ClickHouse HTTP basics: /ping, GET with query, default_format, gzip, query parameters', async () => {
    expect(await (await fetch(`${collector.clickhouseUrl}/ping`)).text()).toBe('Ok.\n');
    const get = await fetch(
      `${collector.clickhouseUrl}/?query=${encodeURIComponent('SELECT {n:UInt32} + 1 AS x')}&param_n=41&default_format=JSONEachRow`,
      { headers: collector.authHeaders },
    );
    expect(get.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    // UInt64 is quoted in JSON, as a ClickHouse server does by default.
    expect(await get.text()).toBe('{"x":"42"}\n');
    const gz = await fetch(`${collector.clickhouseUrl}/?enable_http_compression=1`, {
      method: 'POST',
      body: 'SELECT number FROM system.numbers LIMIT 3 FORMAT CSV',
      headers: { 'Accept-Encoding': 'gzip', ...collector.authHeaders },
    });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe('0\n1\n2\n');
    const bad = await fetch(`${collector.clickhouseUrl}/`, {
      method: 'POST',
      body: 'SELEC 1',
      headers: collector.authHeaders,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await bad.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error/);
  });

  it('prices spans that arrive without a cost from the catalogue it loaded at start', async () => {
    // A span as another language's instrumentation sends it: legacy gen_ai.system, usage, no aicost.cost.*.
    const spans = makeSpans([
      {
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 1_000_000,
          'aicost.feature': 'from-python',
        },
      },
    ]);
    expect((await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'))).status).toBe(200);
    const res = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature',
      '--format',
      'json',
    ]);
    // OpenAI's list prices for gpt-4o-mini: $0.15 input and $0.60 output per million tokens.
    expect(JSON.parse(res.stdout).rows).toContainEqual(
      expect.objectContaining({
        feature: 'from-python',
        requests: 1,
        unpriced_requests: 0,
        cost: '0.750000000',
      }),
    );
  });

  it('exits non-zero with the engine message for a bad query', async () => {
    const res = await runCli([
      'sql',
      '--data-dir',
      collector.dataDir,
      'SELECT no_such_column FROM otel.otel_traces',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/UNKNOWN_IDENTIFIER|no_such_column/);
    expect(res.stdout).toBe('');
  });

  it('takes the query from stdin', async () => {
    const res = await runCli(['sql', '--data-dir', collector.dataDir, '--format', 'csv'], {
      input: "SELECT 'stdin' AS source, 7 AS n",
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('source,n\nstdin,7\n');
  });
});
