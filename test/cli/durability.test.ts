/**
 * What `aicost up` promises about data: an acknowledged span survives a
 * SIGKILL; bad or oversized payloads are refused without disturbing the
 * requests around them; an overloaded collector says "retry later".
 */
import { describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  makeSpans,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
  tempDir,
} from './support.js';

function genaiSpans(n: number, tag: string) {
  return makeSpans(
    Array.from({ length: n }, (_, i) => ({
      attributes: {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-0',
        'gen_ai.usage.input_tokens': 500 + i,
        'gen_ai.usage.output_tokens': 80,
        'aicost.cost.total': '0.002700000',
        'aicost.cost.status': 'priced',
        'aicost.feature': tag,
      },
    })),
  );
}

async function countSpans(dataDir: string, where = '1'): Promise<number> {
  const res = await runCli([
    'sql',
    '--data-dir',
    dataDir,
    '--format',
    'json',
    `SELECT count() AS n FROM otel.otel_traces WHERE ${where}`,
  ]);
  expect(res.code, res.stderr).toBe(0);
  return Number(JSON.parse(res.stdout)[0].n);
}

describe('aicost up durability', () => {
  it('keeps every acknowledged span across SIGKILL and restart on the same directory', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const dataDir = tempDir();
    const first = await startCollector({ dataDir });
    let acknowledged = 0;
    // Concurrent clients; every 200 is a promise that the rows are written.
    await Promise.all(
      Array.from({ length: 6 }, async (_, client) => {
        for (let i = 0; i < 5; i++) {
          const spans = genaiSpans(20, `kill-${client}`);
          const res = await postOtlp(first.otlpUrl, serializeSpans(spans, client % 2 ? 'json' : 'protobuf'), {
            encoding: client % 2 ? 'json' : 'protobuf',
            gzip: i % 2 === 0,
          });
          if (res.status === 200) acknowledged += spans.length;
        }
      }),
    );
    expect(acknowledged).toBe(6 * 5 * 20);
    expect(await first.stop('SIGKILL')).toBeNull();

    const second = await startCollector({ dataDir });
    try {
      expect(await countSpans(dataDir)).toBe(acknowledged);
      // The request table was filled by the schema's view at insert time, too.
      const report = await runCli(['report', '--data-dir', dataDir, '--format', 'json']);
      expect(JSON.parse(report.stdout).totals).toMatchObject({
        requests: acknowledged,
        cost: `${(2_700_000n * BigInt(acknowledged)) / 1_000_000_000n}.${((2_700_000n * BigInt(acknowledged)) % 1_000_000_000n).toString().padStart(9, '0')}`,
      });
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    // After a clean stop the directory opens directly (no collector running).
    expect(await countSpans(dataDir)).toBe(acknowledged);
  });

  // SIGTERM from a supervisor (docker stop, systemd), SIGINT from Ctrl-C: the same drain.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s answers every request it accepted, writes them, and exits 0',
    {
      timeout: CHILD_PROCESS_TIMEOUT,
    },
    async (signal) => {
      const dataDir = tempDir();
      const collector = await startCollector({ dataDir });
      // Distinct spans in every request: the collector writes a body it already holds only once.
      const bodies = Array.from({ length: 16 }, () => serializeSpans(genaiSpans(50, 'drain'), 'protobuf'));
      const sends = bodies.map((body) =>
        postOtlp(collector.otlpUrl, body).then(
          (r) => r.status,
          () => 'refused' as const,
        ),
      );
      // Signal as soon as the first answer is back, while the others are on their way or being written.
      await Promise.race(sends);
      const exit = collector.stop(signal);
      const statuses = await Promise.all(sends);
      expect(await exit).toBe(0);
      for (const s of statuses) expect([200, 503, 'refused']).toContain(s);
      const acknowledged = statuses.filter((s) => s === 200).length;
      expect(acknowledged).toBeGreaterThan(0);
      expect(await countSpans(dataDir)).toBe(acknowledged * 50);
    },
  );

  it('exits with an error and releases the store when its port is taken', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const first = await startCollector();
    try {
      const port = new URL(first.otlpUrl).port;
      const res = await runCli(['up', '--port', port, '--clickhouse-port', '0', '--data-dir', tempDir()]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/EADDRINUSE/);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it('refuses malformed and oversized payloads with 400/413 and an OTLP Status, losing nothing else', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const collector = await startCollector({ args: ['--max-body-size', '64KiB'] });
    try {
      const good = (tag: string) => serializeSpans(genaiSpans(10, tag), 'protobuf');
      const big = serializeSpans(genaiSpans(400, 'too-big'), 'protobuf');
      expect(big.length).toBeGreaterThan(64 * 1024);
      const results = await Promise.all([
        postOtlp(collector.otlpUrl, good('ok-1')),
        postOtlp(collector.otlpUrl, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])),
        postOtlp(collector.otlpUrl, '{"resourceSpans": [', { encoding: 'json' }),
        postOtlp(
          collector.otlpUrl,
          '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not-hex!"}]}]}]}',
          {
            encoding: 'json',
          },
        ),
        postOtlp(collector.otlpUrl, big),
        postOtlp(collector.otlpUrl, 'not gzip at all', {
          gzip: false,
          contentType: 'application/x-protobuf',
          encoding: 'protobuf',
        }).then(async () => postOtlp(collector.otlpUrl, good('ok-2'), { gzip: true })),
        postOtlp(collector.otlpUrl, 'x', { contentType: 'text/plain' }),
      ]);
      const [ok1, badProto, badJson, badHex, tooBig, ok2, wrongType] = results;
      expect(ok1!.status).toBe(200);
      expect(ok2!.status).toBe(200);
      expect(badProto!.status).toBe(400);
      expect(badJson!.status).toBe(400);
      expect(JSON.parse(badJson!.body.toString())).toMatchObject({
        code: 3,
        message: expect.stringMatching(/invalid JSON/),
      });
      expect(badHex!.status).toBe(400);
      expect(JSON.parse(badHex!.body.toString()).message).toMatch(/invalid hex id/);
      expect(tooBig!.status).toBe(413);
      expect(wrongType!.status).toBe(415);
      // Oversized gzip bombs are caught after decompression too.
      const bomb = await postOtlp(collector.otlpUrl, Buffer.alloc(1024 * 1024), { gzip: true });
      expect(bomb.status).toBe(413);
      expect(await countSpans(collector.dataDir)).toBe(20);
      expect(await countSpans(collector.dataDir, "SpanAttributes['aicost.feature'] = 'too-big'")).toBe(0);
      const health = (await (await fetch(`${collector.otlpUrl}/health`)).json()) as { rejectedBusy: number };
      expect(health).toMatchObject({ status: 'ok', spans: 20 });
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  it('answers 429 with Retry-After past its in-flight limit, and accepts the retry', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const collector = await startCollector({ args: ['--max-inflight', '1'] });
    try {
      const bodies = Array.from({ length: 12 }, () => serializeSpans(genaiSpans(200, 'burst'), 'protobuf'));
      const results = await Promise.all(bodies.map((body) => postOtlp(collector.otlpUrl, body)));
      const throttled = results.filter((r) => r.status === 429);
      const accepted = results.filter((r) => r.status === 200);
      expect(throttled.length).toBeGreaterThan(0);
      expect(accepted.length).toBeGreaterThan(0);
      expect(accepted.length + throttled.length).toBe(12);
      for (const r of throttled) expect(r.headers.get('retry-after')).toBe('1');
      expect(await countSpans(collector.dataDir)).toBe(accepted.length * 200);
      const retry = await postOtlp(collector.otlpUrl, bodies[results.findIndex((r) => r.status === 429)]!);
      expect(retry.status).toBe(200);
      expect(await countSpans(collector.dataDir)).toBe((accepted.length + 1) * 200);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  it('answers 429 with Retry-After when --max-queue-size is full, and every refused request lands on retry', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    // One request's rows are far over 1 KiB: while one waits for the writer, every other is refused.
    const collector = await startCollector({ args: ['--max-queue-size', '1KiB'] });
    try {
      let refused: Uint8Array[] = [];
      let sent = 0;
      // Concurrent requests until the queue has refused some (bounded: a few rounds at most).
      for (let round = 0; round < 5 && refused.length === 0; round++) {
        const bodies = Array.from({ length: 8 }, () => serializeSpans(genaiSpans(50, 'queue'), 'protobuf'));
        sent += bodies.length;
        const results = await Promise.all(bodies.map((body) => postOtlp(collector.otlpUrl, body)));
        for (const r of results) expect([200, 429]).toContain(r.status);
        for (const r of results.filter((r) => r.status === 429)) {
          expect(r.headers.get('retry-after')).toBe('1');
          // A google.rpc.Status in the request's encoding (protobuf): its message is plain UTF-8 inside.
          expect(r.body.toString()).toMatch(/busy writing; retry later/);
        }
        refused = bodies.filter((_, i) => results[i]!.status === 429);
      }
      expect(refused.length).toBeGreaterThan(0);
      const health = (await (await fetch(`${collector.otlpUrl}/health`)).json()) as { rejectedBusy: number };
      expect(health.rejectedBusy).toBe(refused.length);
      // The client's retries, one at a time, all land; nothing was written twice or lost.
      for (const body of refused) expect((await postOtlp(collector.otlpUrl, body)).status).toBe(200);
      expect(await countSpans(collector.dataDir)).toBe(sent * 50);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });
});
