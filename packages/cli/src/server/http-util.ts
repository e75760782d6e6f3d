import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeAfterAnswer } from '@aicost/ui';

export { closeAfterAnswer };

import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** The body is larger than the limit (answered with 413). */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/**
 * The most of an unread body that is read and discarded after an error answer to an
 * authenticated request, so that a client still sending hears the answer and keeps its
 * connection. Anything larger, and any body of a refused or unauthenticated request, is not
 * read at all: see `closeAfterAnswer` (@aicost/ui).
 */
const DRAIN_BYTES = 1024 * 1024;

/** Whether a request still has body bytes to come (an announced body not read to the end). */
export function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Before an answer that does not read the request's body: a small body (up to DRAIN_BYTES) of an
 * authenticated request is read and discarded (the connection stays usable); any other is not
 * read, and the connection is closed after the answer. Call before writing the head.
 */
export function discardBody(req: IncomingMessage, res: ServerResponse, authenticated: boolean): void {
  if (!hasUnreadBody(req)) return;
  const declared = Number(req.headers['content-length']);
  if (authenticated && Number.isFinite(declared) && declared <= DRAIN_BYTES) req.resume();
  else closeAfterAnswer(req, res);
}

/** The body did not arrive in time (answered with 408, connection closed). */
export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError';
}

/**
 * Reads a request body up to `limit` bytes, within `timeoutMs` for the whole
 * body (a sender trickling bytes cannot hold the request open longer).
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs = 30_000,
  onBytes?: (n: number) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(`the body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      done = true;
      clearTimeout(timer);
      if (err) {
        // Stop reading what is left: the answer is sent and the connection closed.
        req.pause();
        reject(err);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const timer = setTimeout(() => {
      if (!done) finish(new BodyTimeoutError(`the body did not arrive within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish(new BodyTooLargeError(`the body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
      onBytes?.(chunk.length);
    });
    req.on('end', () => {
      if (!done) finish();
    });
    req.on('error', (err) => {
      if (!done) finish(err);
    });
  });
}

/** An unsupported Content-Encoding (answered with 415 or the server's own error). */
export class UnsupportedEncodingError extends Error {
  override name = 'UnsupportedEncodingError';
}

/**
 * Decodes a body per Content-Encoding with the decoded size bounded by
 * `limit` (a 1 MiB gzip or an 841-byte brotli body can inflate to 1 GiB):
 * past it, {@link BodyTooLargeError}.
 */
export function decodeContent(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  const opts = { maxOutputLength: limit };
  try {
    switch (enc) {
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, opts);
      case 'deflate':
        return inflateSync(body, opts);
      case 'br':
        return brotliDecompressSync(body, opts);
      default:
        throw new UnsupportedEncodingError(`Content-Encoding ${JSON.stringify(enc)} is not supported`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new BodyTooLargeError(`the ${enc} body inflates past the limit of ${limit} bytes`);
    }
    throw err;
  }
}
