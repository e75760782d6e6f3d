/**
 * The exporter-compatible value conventions, pinned against pdata's
 * `Value.AsString()` (v1.71.0) and the exporter's row layout, and the money
 * arithmetic of the report.
 */

import { splitStatements } from '@aicost/schema';
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../src/otlp/decode.js';
import { ExportTraceServiceRequest } from '../src/otlp/proto.js';
import { tracesToRows } from '../src/otlp/traces.js';
import { anyValueString, idHexOrEmpty, OtlpDataError } from '../src/otlp/values.js';
import { formatRounded, formatUsd, parseCostText } from '../src/report/money.js';
import { firstKeyword, formatClause, insertWithFormat, isReadOnly } from '../src/server/sql-text.js';

describe('attribute values as pdata AsString()', () => {
  it.each([
    [{ stringValue: 'gpt-4o' }, 'gpt-4o'],
    [{ intValue: '9007199254740993' }, '9007199254740993'],
    [{ intValue: 42 }, '42'],
    [{ doubleValue: 0.5 }, '0.5'],
    [{ doubleValue: 1 }, '1'],
    [{ doubleValue: 1e-7 }, '1e-7'],
    [{ doubleValue: 1.5e21 }, '1.5e+21'],
    [{ doubleValue: Number.NaN }, 'NaN'],
    [{ doubleValue: Number.POSITIVE_INFINITY }, 'Infinity'],
    [{ boolValue: false }, 'false'],
    [{ bytesValue: new Uint8Array([1, 2, 255]) }, 'AQL/'],
    [
      {
        arrayValue: {
          values: [{ stringValue: 'a' }, { intValue: '2' }, { doubleValue: 0.5 }, { boolValue: true }],
        },
      },
      '["a",2,0.5,true]',
    ],
    [
      {
        kvlistValue: {
          values: [
            { key: 'z', value: { intValue: 1 } },
            { key: 'a', value: { stringValue: '<b>' } },
          ],
        },
      },
      '{"a":"<b>","z":1}',
    ],
    [{}, ''],
  ])('%j -> %s', (value, expected) => {
    expect(anyValueString(value)).toBe(expected);
  });

  it('blanks all-zero ids and refuses non-hex ids from JSON', () => {
    expect(idHexOrEmpty(new Uint8Array(8), 16)).toBe('');
    expect(idHexOrEmpty('00000000000000000000000000000000', 32)).toBe('');
    expect(idHexOrEmpty('5B8EFFF798038103D269B633813FC60C', 32)).toBe('5b8efff798038103d269b633813fc60c');
    expect(() => idHexOrEmpty('zz"},', 32)).toThrow(OtlpDataError);
  });
});

describe('span rows', () => {
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: 'scope', version: '1' },
            spans: [
              {
                traceId: new Uint8Array(16).fill(0xab),
                spanId: new Uint8Array(8).fill(0x01),
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: '1800000000123456789',
                endTimeUnixNano: '1800000001000000000',
                attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }],
                events: [{ timeUnixNano: '1800000000500000000', name: 'e', attributes: [] }],
                status: { code: 2, message: 'boom' },
              },
            ],
          },
        ],
      },
    ],
  };

  it('round-trips protobuf and builds the exporter row', () => {
    const bytes = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
    const { rows, count } = tracesToRows(decodeRequest('traces', 'protobuf', Buffer.from(bytes)));
    expect(count).toBe(1);
    expect(JSON.parse(rows)).toEqual({
      Timestamp: '1800000000123456789',
      TraceId: 'ab'.repeat(16),
      SpanId: '01'.repeat(8),
      ParentSpanId: '',
      TraceState: '',
      SpanName: 'chat gpt-4o',
      SpanKind: 'Client',
      ServiceName: 'svc',
      ResourceAttributes: { 'service.name': 'svc' },
      ScopeName: 'scope',
      ScopeVersion: '1',
      SpanAttributes: { 'gen_ai.usage.input_tokens': '12' },
      Duration: '876543211',
      StatusCode: 'Error',
      StatusMessage: 'boom',
      'Events.Timestamp': ['1800000000500000000'],
      'Events.Name': ['e'],
      'Events.Attributes': [{}],
      'Links.TraceId': [],
      'Links.SpanId': [],
      'Links.TraceState': [],
      'Links.Attributes': [],
    });
  });

  it('refuses a JSON timestamp that is not an integer', () => {
    const bad = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: '12abc' }] }] }],
    });
    expect(() => tracesToRows(decodeRequest('traces', 'json', Buffer.from(bad)))).toThrow(/invalid integer/);
  });
});

describe('money', () => {
  it('reads Decimal text exactly, trailing zeros past 9 digits included, and never rounds it', () => {
    expect(parseCostText('12.3456789')).toBe(12_345_678_900n);
    expect(parseCostText('0.000000001')).toBe(1n);
    expect(parseCostText('-0.5')).toBe(-500_000_000n);
    expect(parseCostText('0')).toBe(0n);
    expect(parseCostText('1.500000000000000000')).toBe(1_500_000_000n);
    expect(() => parseCostText('0.0000000001')).toThrow(/not an exact nano-USD amount/);
    expect(() => parseCostText('')).toThrow(/not an exact nano-USD amount/);
  });

  it('prints rounded half away from zero, as core rounds', () => {
    expect(formatRounded(12_345_678_900n, 9)).toBe('12.345678900');
    expect(formatRounded(1_234_567_890_123n, 6)).toBe('1234.567890');
    expect(formatRounded(12_345_500n, 6)).toBe('0.012346');
    expect(formatRounded(-12_345_500n, 6)).toBe('-0.012346');
    expect(formatRounded(1_500_000_000n, 0)).toBe('2');
    expect(formatRounded(-2_500_000_000n, 0)).toBe('-3');
    expect(() => formatRounded(1n, 10)).toThrow(RangeError);
    expect(formatUsd(1_234_567_890_123n)).toBe('$1,234.567890');
    expect(formatUsd(12_345_500n)).toBe('$0.012346');
    expect(formatUsd(400n)).toBe('<$0.000001');
    expect(formatUsd(-400n)).toBe('>-$0.000001');
    expect(formatUsd(0n)).toBe('$0.000000');
  });
});

describe('SQL text', () => {
  it('classifies statements and finds FORMAT and INSERT targets outside strings and comments', () => {
    expect(firstKeyword('  -- c\n (SELECT 1)')).toBe('SELECT');
    expect(isReadOnly('SELECT 1; DROP TABLE x')).toBe(false);
    expect(isReadOnly("SELECT ';DROP' AS s")).toBe(true);
    expect(isReadOnly("SELECT 1 INTO OUTFILE '/tmp/x'")).toBe(false);
    expect(isReadOnly('INSERT INTO t VALUES (1)')).toBe(false);
    expect(formatClause("SELECT 'FORMAT CSV' FORMAT JSONEachRow")).toBe('JSONEachRow');
    expect(formatClause("SELECT 'x FORMAT CSV'")).toBeUndefined();
    expect(insertWithFormat('INSERT INTO "otel"."t" (\n a,\n Events.Name\n) FORMAT Native')).toEqual({
      head: 'INSERT INTO "otel"."t" (\n a,\n Events.Name\n)',
      format: 'Native',
    });
  });

  it('splits schema files on lines ending with ;', () => {
    expect(
      splitStatements("-- c\nCREATE TABLE a (x String DEFAULT ';')\nENGINE = Memory;\n\nSELECT 1;\n"),
    ).toEqual(["CREATE TABLE a (x String DEFAULT ';')\nENGINE = Memory", 'SELECT 1']);
  });
});
