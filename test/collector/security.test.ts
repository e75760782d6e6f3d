/**
 * The production collector (collector/config.yaml on the real aicost-otelcol build) under the
 * rules of collector/README.md "Security":
 * - no OTLP without the bearer token (env var or file), and no start-up without a token;
 * - TLS with collector/config.tls.yaml (a throwaway certificate made here with openssl);
 * - prompt/completion content masked before export unless AICOST_STORE_CONTENT=true.
 * The test overlay (collector/config.test.yaml) forwards what passed the pipeline to a loopback
 * OTLP sink, so what would have reached ClickHouse is asserted attribute by attribute.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectorBinaryOrSkipNotice,
  PRODUCTION_CONFIG,
  type RunningCollector,
  runCollectorCommand,
  startCollector,
  TEST_OTLP_TOKEN,
  TEST_OVERLAY_CONFIG,
  TLS_OVERLAY_CONFIG,
} from './support/collector-process.js';
import { attributeMap, type OtlpKeyValue, type OtlpSink, startOtlpSink } from './support/otlp-sink.js';

const binary = collectorBinaryOrSkipNotice();
const MASK = '[redacted: set AICOST_STORE_CONTENT=true to keep content]';

const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { stringValue: value } });

/** One GenAI span as OTLP/JSON, with content attributes and a content event, under a fresh trace id. */
function genAISpan(traceId: string, extra: OtlpKeyValue[] = []) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'security-test')] },
        scopeSpans: [
          {
            scope: { name: 'security-test' },
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: '1764590400000000000',
                endTimeUnixNano: '1764590401000000000',
                attributes: [
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', 'gpt-4o'),
                  { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
                  str(
                    'gen_ai.input.messages',
                    '[{"role":"user","parts":[{"type":"text","content":"my card is 4111"}]}]',
                  ),
                  str(
                    'gen_ai.output.messages',
                    '[{"role":"assistant","parts":[{"type":"text","content":"noted"}]}]',
                  ),
                  str('gen_ai.system_instructions', 'you are a secret agent'),
                  str('gen_ai.prompt.0.content', 'legacy prompt'),
                  str('gen_ai.completion.0.content', 'legacy completion'),
                  str('ai.prompt', '{"prompt":"vercel prompt"}'),
                  str('ai.prompt.messages', '[{"role":"user","content":"vercel message"}]'),
                  str('ai.response.text', 'vercel answer'),
                  str('ai.response.toolCalls', '[{"args":"x"}]'),
                  str('ai.response.model', 'gpt-4o-2024-08-06'),
                  str('ai.response.finishReason', 'stop'),
                  str('input.value', 'openinference input'),
                  ...extra,
                ],
                events: [
                  {
                    timeUnixNano: '1764590400500000000',
                    name: 'gen_ai.content.prompt',
                    attributes: [str('gen_ai.prompt', 'event prompt')],
                  },
                  {
                    timeUnixNano: '1764590400600000000',
                    name: 'gen_ai.choice',
                    attributes: [str('message', '{"content":"event answer"}'), str('finish_reason', 'stop')],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

async function postTraces(endpoint: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface DeliveredSpan {
  attributes?: OtlpKeyValue[];
  events?: Array<{ name: string; attributes?: OtlpKeyValue[] }>;
}

function delivered(sink: OtlpSink, traceId: string): DeliveredSpan | undefined {
  for (const resourceSpans of sink.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const span = scopeSpans.spans?.find((s) => s.traceId === traceId);
      if (span) return span as DeliveredSpan;
    }
  }
  return undefined;
}

const newTraceId = () => randomBytes(16).toString('hex');

describe.skipIf(!binary.exists)('the OTLP receivers require the bearer token', () => {
  let sink: OtlpSink;
  let collector: RunningCollector;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aicost-otelcol-auth-'));
    // Two tokens, one per line (rotation), with a comment after the second.
    writeFileSync(join(dir, 'tokens'), `${TEST_OTLP_TOKEN}\nnext-token-42 rotated in on Monday\n`, {
      mode: 0o600,
    });
    sink = await startOtlpSink();
    collector = await startCollector(binary.path, [PRODUCTION_CONFIG, TEST_OVERLAY_CONFIG], {
      AICOST_TEST_SINK_ENDPOINT: sink.endpoint,
      AICOST_OTLP_TOKEN_FILE: join(dir, 'tokens'),
    });
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not start (nor validate) without a token', () => {
    const result = runCollectorCommand(binary.path, ['validate', '--config', PRODUCTION_CONFIG]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bearertokenauth/otlp: no bearer token provided');
  });

  it('answers 401 without a token, with a wrong one, or with the token under another scheme, and drops the data', async () => {
    const refused = newTraceId();
    for (const headers of [
      {},
      bearer('guess'),
      { authorization: TEST_OTLP_TOKEN },
      bearer(`${TEST_OTLP_TOKEN}x`),
    ]) {
      const response = await postTraces(collector.otlpHttpEndpoint, genAISpan(refused), headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
    }
    const accepted = newTraceId();
    expect(
      (await postTraces(collector.otlpHttpEndpoint, genAISpan(accepted), bearer(TEST_OTLP_TOKEN))).status,
    ).toBe(200);
    await sink.waitFor(() => delivered(sink, accepted));
    expect(delivered(sink, refused)).toBeUndefined();
  });

  it('takes every token of the file (one per line, for rotation)', async () => {
    const traceId = newTraceId();
    expect(
      (await postTraces(collector.otlpHttpEndpoint, genAISpan(traceId), bearer('next-token-42'))).status,
    ).toBe(200);
    await sink.waitFor(() => delivered(sink, traceId));
  });

  it('masks prompt and completion content, on the span and its events, and keeps the metadata', async () => {
    const traceId = newTraceId();
    await postTraces(collector.otlpHttpEndpoint, genAISpan(traceId), bearer(TEST_OTLP_TOKEN));
    const span = await sink.waitFor(() => delivered(sink, traceId));
    const attributes = attributeMap(span.attributes);
    for (const key of [
      'gen_ai.input.messages',
      'gen_ai.output.messages',
      'gen_ai.system_instructions',
      'gen_ai.prompt.0.content',
      'gen_ai.completion.0.content',
      'ai.prompt',
      'ai.prompt.messages',
      'ai.response.text',
      'ai.response.toolCalls',
      'input.value',
    ]) {
      expect(attributes[key], key).toEqual({ stringValue: MASK });
    }
    expect(attributes).toMatchObject({
      'gen_ai.operation.name': { stringValue: 'chat' },
      'gen_ai.request.model': { stringValue: 'gpt-4o' },
      'gen_ai.usage.input_tokens': { intValue: '12' },
      'ai.response.model': { stringValue: 'gpt-4o-2024-08-06' },
      'ai.response.finishReason': { stringValue: 'stop' },
    });
    // No redaction bookkeeping attributes (summary: silent).
    expect(Object.keys(attributes).filter((key) => key.startsWith('redaction.'))).toEqual([]);
    const events = Object.fromEntries(
      (span.events ?? []).map((event) => [event.name, attributeMap(event.attributes)]),
    );
    expect(events['gen_ai.content.prompt']).toEqual({ 'gen_ai.prompt': { stringValue: MASK } });
    expect(events['gen_ai.choice']).toEqual({
      message: { stringValue: MASK },
      finish_reason: { stringValue: 'stop' },
    });
    expect(JSON.stringify(sink.resourceSpans)).not.toMatch(
      /4111|secret agent|vercel (prompt|message|answer)|event (prompt|answer)/,
    );
  });
});

describe.skipIf(!binary.exists)('AICOST_STORE_CONTENT', () => {
  it('=true keeps the content as sent', async () => {
    const sink = await startOtlpSink();
    const collector = await startCollector(binary.path, [PRODUCTION_CONFIG, TEST_OVERLAY_CONFIG], {
      AICOST_TEST_SINK_ENDPOINT: sink.endpoint,
      AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
      AICOST_STORE_CONTENT: 'true',
    });
    try {
      const traceId = newTraceId();
      await postTraces(collector.otlpHttpEndpoint, genAISpan(traceId), bearer(TEST_OTLP_TOKEN));
      const span = await sink.waitFor(() => delivered(sink, traceId));
      expect(attributeMap(span.attributes)).toMatchObject({
        'gen_ai.system_instructions': { stringValue: 'you are a secret agent' },
        'ai.response.text': { stringValue: 'vercel answer' },
      });
    } finally {
      await collector.stop();
      await sink.close();
    }
  }, 60_000);

  it('refuses any value but true or false at start-up rather than guess', () => {
    const result = runCollectorCommand(binary.path, ['validate', '--config', PRODUCTION_CONFIG], {
      AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
      AICOST_STORE_CONTENT: 'yes',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('redaction/store_content_yes');
  });
});

describe.skipIf(!binary.exists)('TLS on the OTLP receivers (collector/config.tls.yaml)', () => {
  let sink: OtlpSink;
  let collector: RunningCollector;
  let dir: string;
  let certificate: string;
  let httpsPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aicost-otelcol-tls-'));
    // A throwaway self-signed certificate for 127.0.0.1; the key never leaves the temp dir.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=aicost-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
    sink = await startOtlpSink();
    collector = await startCollector(
      binary.path,
      [PRODUCTION_CONFIG, TLS_OVERLAY_CONFIG, TEST_OVERLAY_CONFIG],
      {
        AICOST_TEST_SINK_ENDPOINT: sink.endpoint,
        AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
        AICOST_OTLP_TLS_CERT_FILE: join(dir, 'cert.pem'),
        AICOST_OTLP_TLS_KEY_FILE: join(dir, 'key.pem'),
      },
    );
    httpsPort = Number(new URL(collector.otlpHttpEndpoint).port);
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function postHttps(body: string, headers: Record<string, string>, ca?: string) {
    return new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: '/v1/traces',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          ...(ca === undefined ? {} : { ca }),
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('accepts OTLP over HTTPS with the token, trusting the certificate', async () => {
    const traceId = newTraceId();
    expect(await postHttps(genAISpan(traceId), bearer(TEST_OTLP_TOKEN), certificate)).toBe(200);
    await sink.waitFor(() => delivered(sink, traceId));
  });

  it('still requires the token over TLS', async () => {
    expect(await postHttps(genAISpan(newTraceId()), {}, certificate)).toBe(401);
  });

  it('serves no plain HTTP on the TLS port', async () => {
    const response = await postTraces(
      collector.otlpHttpEndpoint,
      genAISpan(newTraceId()),
      bearer(TEST_OTLP_TOKEN),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('HTTP request to an HTTPS server');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(postHttps(genAISpan(newTraceId()), bearer(TEST_OTLP_TOKEN))).rejects.toThrow(
      /self-signed|certificate/,
    );
  });
});
