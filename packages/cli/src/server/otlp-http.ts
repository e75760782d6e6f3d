/**
 * The OTLP/HTTP receiver of `aicost up`: /v1/traces and /v1/metrics in
 * protobuf or JSON, optionally gzip, written through the group-commit queue
 * into the exporter's tables. Answers follow the OTLP/HTTP spec: 200 with an
 * Export*ServiceResponse once the rows are written; 400 (not retryable) with a
 * google.rpc.Status for a body that cannot be read; 413 past the size limit;
 * 429/503 with Retry-After when the collector cannot take more right now;
 * 401/403 for a missing credential (when required) or a cross-site browser
 * request (server/access.ts), before the body is read.
 *
 * Bounded work per request: the body must arrive within the body timeout and
 * fit the size limit, compressed and decoded. An ingest slot (`maxInflight`)
 * is taken only once the body is fully read, so slow senders cannot hold the
 * slots that decoding and writing need; bodies being read are bounded by the
 * bytes they may hold together (`maxReadingBytes`), not by their number.
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
import {
  type BoundAddress,
  browserRequestRefusal,
  credentialMatches,
  type LocalCredential,
} from './access.js';
import { BodyTimeoutError, BodyTooLargeError, closeAfterAnswer, discardBody, readBody } from './http-util.js';
import { type IngestQueue, QueueBusyError, type TableRows } from './ingest-queue.js';

export interface OtlpReceiverOptions {
  queue: IngestQueue;
  /** Largest accepted body, compressed or not (bytes). */
  maxBodyBytes: number;
  /** Requests being decoded or written at once (after their body is read); more get 429. */
  maxInflight: number;
  /** Bytes that requests still being read may declare or hold together; past it, 429 (default 4 × maxBodyBytes). */
  maxReadingBytes?: number;
  /** Time allowed for a whole request body (ms, default 30 s). */
  bodyTimeoutMs?: number;
  /** Required on every export request when set (see server/access.ts). */
  credential?: LocalCredential;
  /** The bound address, for the Host/Origin checks. */
  bound: () => BoundAddress;
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
  let readingBytes = 0;
  const maxReadingBytes = opts.maxReadingBytes ?? 4 * opts.maxBodyBytes;
  let closing = false;
  const idleWaiters: (() => void)[] = [];
  const counters = {
    spans: 0,
    metricPoints: 0,
    rejectedMalformed: 0,
    rejectedTooLarge: 0,
    rejectedSlow: 0,
    refusedAccess: 0,
    throttled: 0,
  };

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

  function fail(
    res: ServerResponse,
    status: number,
    encoding: Encoding,
    message: string,
    retry = false,
    close = false,
  ) {
    // google.rpc.Code: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, 13 INTERNAL.
    const rpcCode = status === 400 || status === 413 ? 3 : status === 429 ? 8 : status === 503 ? 14 : 13;
    const headers: Record<string, string> = retry ? { 'Retry-After': String(opts.retryAfterSeconds) } : {};
    // The rest of a body that broke a bound is not read: the answer goes first, then the connection closes.
    if (status === 413 || close) closeAfterAnswer(res.req, res);
    send(res, status, encoding, statusBody(rpcCode, message, encoding), headers);
  }

  async function handleExport(req: IncomingMessage, res: ServerResponse, signal: Signal) {
    const encoding = encodingOf(req.headers['content-type']);
    if (!encoding) {
      discardBody(req, res, true);
      fail(
        res,
        415,
        'json',
        `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}; use application/x-protobuf or application/json`,
      );
      return;
    }
    if (closing) {
      discardBody(req, res, true);
      fail(res, 503, encoding, 'the collector is shutting down', true);
      return;
    }
    // Bodies being received hold memory: bounded by the bytes they hold together (a slow sender holds
    // almost none, so it cannot crowd out the others the way a count of slots could).
    const declared = Number(req.headers['content-length']);
    if (readingBytes > 0 && readingBytes + (Number.isFinite(declared) ? declared : 0) > maxReadingBytes) {
      counters.throttled++;
      discardBody(req, res, true);
      fail(res, 429, encoding, 'too many bodies being received; retry later', true);
      return;
    }
    let raw: Buffer;
    let held = 0;
    try {
      raw = await readBody(req, opts.maxBodyBytes, opts.bodyTimeoutMs ?? 30_000, (n) => {
        held += n;
        readingBytes += n;
      });
    } catch (err) {
      readingBytes -= held;
      if (err instanceof BodyTooLargeError) {
        counters.rejectedTooLarge++;
        fail(res, 413, encoding, `payload too large: ${err.message}`, false, true);
      } else if (err instanceof BodyTimeoutError) {
        counters.rejectedSlow++;
        fail(res, 408, encoding, err.message, false, true);
      } else {
        fail(res, 400, encoding, `could not read the body: ${(err as Error).message}`, false, true);
      }
      return;
    }
    readingBytes -= held;
    if (inflight >= opts.maxInflight) {
      counters.throttled++;
      fail(res, 429, encoding, 'too many requests in flight; retry later', true);
      return;
    }
    inflight++;
    decoding++;
    try {
      let rows: TableRows[];
      let count: number;
      try {
        const body = decompress(raw, req.headers['content-encoding'], opts.maxBodyBytes);
        ({ rows, count } = toTableRows(signal, encoding, body));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          counters.rejectedTooLarge++;
          fail(res, 413, encoding, `payload too large: ${(err as Error).message}`);
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
    const refusal = browserRequestRefusal(req, opts.bound());
    if (refusal) {
      counters.refusedAccess++;
      closeAfterAnswer(req, res);
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(`${refusal}\n`);
      return;
    }
    // Only the export paths ask for the credential; nothing else reads a body of a request without it.
    const authenticated =
      !opts.credential || credentialMatches(req, new URL(req.url ?? '/', 'http://x'), opts.credential);
    if (ROUTES[path] && !authenticated) {
      counters.refusedAccess++;
      closeAfterAnswer(req, res);
      res
        .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' })
        .end(
          'this collector requires its credential: Authorization: Bearer <password from credential.json>\n',
        );
      return;
    }
    const signal = ROUTES[path];
    if (signal) {
      if (req.method !== 'POST') {
        discardBody(req, res, true);
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('use POST\n');
        return;
      }
      handleExport(req, res, signal).catch((err) => {
        opts.log?.(`unexpected error: ${(err as Error).stack ?? err}`);
        fail(res, 500, 'json', 'internal error');
      });
      return;
    }
    discardBody(req, res, authenticated);
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

  // Headers must arrive within 10 s and a whole request within the body timeout plus that.
  server.headersTimeout = 10_000;
  server.requestTimeout = (opts.bodyTimeoutMs ?? 30_000) + 10_000;
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
