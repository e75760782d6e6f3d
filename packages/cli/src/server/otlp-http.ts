/**
 * The OTLP/HTTP receiver of `aicost up`: /v1/traces and /v1/metrics in
 * protobuf or JSON, optionally gzip, written through the group-commit queue
 * into the exporter's tables. Answers follow the OTLP/HTTP spec: 200 with an
 * Export*ServiceResponse once the rows are written; 400 (not retryable) with a
 * google.rpc.Status for a body that cannot be read; 413 past the size limit;
 * 429/503 with Retry-After when the collector cannot take more right now.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  decodeRequest,
  decompress,
  type Encoding,
  encodingOf,
  OtlpDecodeError,
  type Signal,
  statusBody,
  successBody,
} from '../otlp/decode.js';
import { type MetricKind, metricsToRows } from '../otlp/metrics.js';
import { tracesToRows } from '../otlp/traces.js';
import { OtlpDataError } from '../otlp/values.js';
import { engineErrorCode, engineErrorMessage } from '../store/engine-errors.js';
import { DATABASE } from '../store/schema.js';
import { BodyTooLargeError, readBody } from './http-util.js';
import { type IngestQueue, QueueBusyError, type TableRows } from './ingest-queue.js';

export interface OtlpReceiverOptions {
  queue: IngestQueue;
  /** Largest accepted body, compressed or not (bytes). */
  maxBodyBytes: number;
  /** Requests being read, decoded or written at once; more get 429. */
  maxInflight: number;
  /** Seconds a throttled client is asked to wait. */
  retryAfterSeconds: number;
  /** Extra fields for GET /health. */
  health?: () => Record<string, unknown>;
  log?: (message: string) => void;
}

const ROUTES: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics' };

const CONTENT_TYPE: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** Engine errors caused by the rows themselves: the same request would fail again. */
const DATA_ERROR_CODES = new Set([6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130, 131, 321]);

export interface OtlpReceiver {
  server: Server;
  /** Requests being read or decoded, not yet handed to the queue. */
  readonly decoding: number;
  /** Stops taking requests (new ones get 503) and waits for the ones in flight. */
  drain(): Promise<void>;
}

export function createOtlpReceiver(opts: OtlpReceiverOptions): OtlpReceiver {
  let inflight = 0;
  let decoding = 0;
  let closing = false;
  const idleWaiters: (() => void)[] = [];
  const counters = { spans: 0, metricPoints: 0, rejectedMalformed: 0, rejectedTooLarge: 0, throttled: 0 };

  function send(
    res: ServerResponse,
    status: number,
    encoding: Encoding,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ) {
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': CONTENT_TYPE[encoding], ...headers });
    res.end(body);
  }

  function fail(res: ServerResponse, status: number, encoding: Encoding, message: string, retry = false) {
    // google.rpc.Code: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, 13 INTERNAL.
    const rpcCode = status === 400 || status === 413 ? 3 : status === 429 ? 8 : status === 503 ? 14 : 13;
    const headers: Record<string, string> = retry ? { 'Retry-After': String(opts.retryAfterSeconds) } : {};
    if (status === 413) headers.Connection = 'close';
    send(res, status, encoding, statusBody(rpcCode, message, encoding), headers);
  }

  async function handleExport(req: IncomingMessage, res: ServerResponse, signal: Signal) {
    const encoding = encodingOf(req.headers['content-type']);
    if (!encoding) {
      req.resume();
      fail(
        res,
        415,
        'json',
        `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}; use application/x-protobuf or application/json`,
      );
      return;
    }
    if (closing) {
      req.resume();
      fail(res, 503, encoding, 'the collector is shutting down', true);
      return;
    }
    if (inflight >= opts.maxInflight) {
      counters.throttled++;
      req.resume();
      fail(res, 429, encoding, 'too many requests in flight; retry later', true);
      return;
    }
    inflight++;
    try {
      let rows: TableRows[];
      let count: number;
      decoding++;
      try {
        const raw = await readBody(req, opts.maxBodyBytes);
        const body = decompress(raw, req.headers['content-encoding'], opts.maxBodyBytes);
        ({ rows, count } = toTableRows(signal, encoding, body));
      } catch (err) {
        if (
          err instanceof BodyTooLargeError ||
          (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
        ) {
          counters.rejectedTooLarge++;
          fail(res, 413, encoding, `payload too large: ${(err as Error).message}`);
          req.resume();
          return;
        }
        counters.rejectedMalformed++;
        const message =
          err instanceof OtlpDecodeError || err instanceof OtlpDataError
            ? err.message
            : `malformed ${signal} payload: ${(err as Error).message}`;
        fail(res, 400, encoding, message);
        return;
      } finally {
        decoding--;
      }
      try {
        await opts.queue.submit(rows, signal);
      } catch (err) {
        if (err instanceof QueueBusyError) {
          counters.throttled++;
          fail(res, err.closing ? 503 : 429, encoding, err.message, true);
          return;
        }
        const code = engineErrorCode(err);
        if (code !== undefined && DATA_ERROR_CODES.has(code)) {
          counters.rejectedMalformed++;
          fail(res, 400, encoding, `the store rejected the ${signal}: ${engineErrorMessage(err)}`);
          return;
        }
        opts.log?.(`write failed: ${engineErrorMessage(err)}`);
        fail(res, 503, encoding, `the store could not write the ${signal}: ${engineErrorMessage(err)}`, true);
        return;
      }
      if (signal === 'traces') counters.spans += count;
      else counters.metricPoints += count;
      send(res, 200, encoding, successBody(signal, encoding));
    } finally {
      inflight--;
      if (inflight === 0) for (const wake of idleWaiters.splice(0)) wake();
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const signal = ROUTES[path];
    if (signal) {
      if (req.method !== 'POST') {
        req.resume();
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('use POST\n');
        return;
      }
      handleExport(req, res, signal).catch((err) => {
        opts.log?.(`unexpected error: ${(err as Error).stack ?? err}`);
        fail(res, 500, 'json', 'internal error');
      });
      return;
    }
    req.resume();
    if (path === '/health' || path === '/') {
      const body = JSON.stringify({
        status: closing ? 'draining' : 'ok',
        inflight,
        queuedBytes: opts.queue.bytesQueued,
        ...counters,
        ...opts.queue.stats,
        ...opts.health?.(),
      });
      res.writeHead(closing ? 503 : 200, { 'Content-Type': 'application/json' }).end(body);
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'text/plain' })
      .end('not found; OTLP/HTTP paths are /v1/traces and /v1/metrics\n');
  });

  return {
    server,
    get decoding() {
      return decoding;
    },
    async drain() {
      closing = true;
      if (inflight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}

const METRIC_TABLE: Record<MetricKind, string> = {
  gauge: `${DATABASE}.otel_metrics_gauge`,
  sum: `${DATABASE}.otel_metrics_sum`,
  histogram: `${DATABASE}.otel_metrics_histogram`,
  exponential_histogram: `${DATABASE}.otel_metrics_exponential_histogram`,
  summary: `${DATABASE}.otel_metrics_summary`,
};

export const TRACES_TABLE = `${DATABASE}.otel_traces`;

/** Decodes a body and builds the rows for the exporter's tables (the one conversion path). */
export function toTableRows(
  signal: Signal,
  encoding: Encoding,
  body: Buffer,
): { rows: TableRows[]; count: number } {
  if (signal === 'traces') {
    const { rows, count } = tracesToRows(decodeRequest('traces', encoding, body));
    return { rows: [{ table: TRACES_TABLE, rows }], count };
  }
  const { rows, count } = metricsToRows(decodeRequest('metrics', encoding, body));
  const parts = (Object.keys(rows) as MetricKind[]).map((kind) => ({
    table: METRIC_TABLE[kind],
    rows: rows[kind].length ? `${rows[kind].join('\n')}\n` : '',
  }));
  return { rows: parts, count };
}
