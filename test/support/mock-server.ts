/**
 * A loopback stand-in for provider APIs. Provider SDKs in tests are real; only
 * the network is fake. The server listens on 127.0.0.1 on a random port and
 * answers each route with scripted responses: JSON, server-sent events with
 * realistic chunking, AWS event-stream frames, HTTP errors with retry headers,
 * streams that break off or hang so the client can abort them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { crc32 } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body. */
  rawBody: Buffer;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: any;
}

/** What the server sends for one request. Build them with the helpers below. */
export type MockResponse =
  | { kind: 'body'; status: number; headers: Record<string, string>; body: Buffer | string }
  | { kind: 'sse'; status: number; headers: Record<string, string>; events: SSEEvent[]; options: SSEOptions }
  | {
      kind: 'frames';
      status: number;
      headers: Record<string, string>;
      frames: Buffer[];
      options: StreamOptions;
    }
  | { kind: 'destroy' };

/** A route's answer: a fixed response, or one computed from the request. */
export type MockHandler = MockResponse | ((request: RecordedRequest) => MockResponse);

export interface SSEEvent {
  /** `event:` line; omitted for OpenAI-style data-only events. */
  event?: string;
  /** Objects are JSON-encoded; strings are sent verbatim (e.g. `[DONE]`, or deliberately invalid JSON). */
  data: unknown;
}

export interface StreamOptions {
  /** Pause between events (ms). Default 0 (still one write per event). */
  delayMs?: number;
  /** Split each event into writes of at most this many bytes, as real networks do. */
  splitBytes?: number;
  /** After this many events, close the socket abruptly (a stream that breaks off). */
  destroyAfter?: number;
  /** After this many events, stop writing and keep the connection open until the client goes away. */
  hangAfter?: number;
}

export interface SSEOptions extends StreamOptions {
  /** Append OpenAI's `data: [DONE]` sentinel. Default false. */
  done?: boolean;
}

export function json(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): MockResponse {
  return {
    kind: 'body',
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(body),
  };
}

/** A body sent as-is (invalid JSON, audio bytes, plain text). */
export function raw(
  body: Buffer | string,
  init: { status?: number; contentType?: string; headers?: Record<string, string> } = {},
): MockResponse {
  return {
    kind: 'body',
    status: init.status ?? 200,
    headers: { 'content-type': init.contentType ?? 'application/json', ...init.headers },
    body,
  };
}

/**
 * An HTTP error with a JSON error body. `retry-after-ms: 0` is set by default
 * so SDK retries happen at once; pass `headers` to change it.
 */
export function httpError(
  status: number,
  body: unknown = { error: { message: `mock error ${status}`, type: 'mock_error', code: null } },
  headers: Record<string, string> = {},
): MockResponse {
  return json(body, { status, headers: { 'retry-after-ms': '0', 'retry-after': '0', ...headers } });
}

export function sse(
  events: SSEEvent[],
  options: SSEOptions = {},
  headers: Record<string, string> = {},
): MockResponse {
  return {
    kind: 'sse',
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers },
    events,
    options,
  };
}

/** OpenAI-style data-only SSE from a list of chunk objects, ending with `[DONE]`. */
export function sseChunks(chunks: unknown[], options: SSEOptions = {}): MockResponse {
  return sse(
    chunks.map((data) => ({ data })),
    { done: true, ...options },
  );
}

/** An AWS event-stream (`application/vnd.amazon.eventstream`) response, as Bedrock streams. */
export function eventStream(
  events: Array<{
    eventType: string;
    payload: unknown;
    messageType?: 'event' | 'exception';
    exceptionType?: string;
  }>,
  options: StreamOptions = {},
): MockResponse {
  const frames = events.map((e) => {
    const headers: Record<string, string> = {
      ':message-type': e.messageType ?? 'event',
      ':content-type': 'application/json',
    };
    if ((e.messageType ?? 'event') === 'event') headers[':event-type'] = e.eventType;
    else headers[':exception-type'] = e.exceptionType ?? e.eventType;
    return encodeEventStreamFrame(headers, Buffer.from(JSON.stringify(e.payload)));
  });
  return {
    kind: 'frames',
    status: 200,
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    frames,
    options,
  };
}

/** Closes the connection without any response (a network failure). */
export function destroySocket(): MockResponse {
  return { kind: 'destroy' };
}

/**
 * Encodes one AWS event-stream message: a 12-byte prelude (total length,
 * headers length, prelude CRC32), string-typed headers, the payload, and the
 * message CRC32.
 */
export function encodeEventStreamFrame(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name);
    const valueBytes = Buffer.from(value);
    const part = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    let offset = part.writeUInt8(nameBytes.length, 0);
    offset += nameBytes.copy(part, offset);
    offset = part.writeUInt8(7, offset); // 7 = string
    offset = part.writeUInt16BE(valueBytes.length, offset);
    valueBytes.copy(part, offset);
    headerParts.push(part);
  }
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const withoutCrc = Buffer.concat([prelude, headerBytes, payload]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(withoutCrc), 0);
  return Buffer.concat([withoutCrc, messageCrc]);
}

export interface MockServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Answers `method path` with `handlers` in order, one per request; the last
   * one repeats. `path` matches the path without query string, or a RegExp
   * against the full path. A later `on` for the same route replaces it.
   */
  on(method: string, path: string | RegExp, ...handlers: MockHandler[]): void;
  /** Forgets routes and recorded requests. */
  reset(): void;
  /**
   * A `fetch` that sends any URL to this server, keeping path and query: lets
   * a client be configured with a real host name (api.groq.com, an Azure
   * resource) while the request lands here.
   */
  readonly fetch: typeof fetch;
  /** Number of open client connections (to check that aborted streams were closed). */
  openConnections(): number;
  close(): Promise<void>;
}

interface Route {
  method: string;
  path: string | RegExp;
  handlers: MockHandler[];
  calls: number;
}

/** Starts a mock server on a random loopback port. */
export async function startMockServer(): Promise<MockServer> {
  const server = createMockServer();
  await server.listen();
  return server;
}

/**
 * A mock server that listens once `listen()` has resolved: for a test file that hands the object
 * out when it loads and starts it in `beforeAll` (`url` and `port` throw until then).
 */
export function createMockServer(): MockServer & { listen(): Promise<void> } {
  let routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        rawBody,
        body: parseJSON(rawBody, req),
      };
      requests.push(recorded);
      const route = findRoute(routes, recorded);
      if (!route) {
        send(
          res,
          json(
            { error: { message: `no mock route for ${recorded.method} ${recorded.path}` } },
            { status: 404 },
          ),
        );
        return;
      }
      const handler = route.handlers[Math.min(route.calls, route.handlers.length - 1)]!;
      route.calls++;
      const response = typeof handler === 'function' ? handler(recorded) : handler;
      send(res, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let port: number | undefined;
  const listening = () => {
    if (port === undefined) throw new Error('the mock server is not listening yet');
    return port;
  };

  const redirectingFetch: typeof fetch = (input, init) => {
    const original = new URL(input instanceof Request ? input.url : String(input));
    const target = `http://127.0.0.1:${listening()}${original.pathname}${original.search}`;
    if (input instanceof Request) return fetch(new Request(target, input), init);
    return fetch(target, init);
  };

  return {
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    },
    get url() {
      return `http://127.0.0.1:${listening()}`;
    },
    get port() {
      return listening();
    },
    requests,
    on(method, path, ...handlers) {
      if (handlers.length === 0) throw new Error('a route needs at least one response');
      routes = routes.filter((r) => !(r.method === method.toUpperCase() && String(r.path) === String(path)));
      routes.push({ method: method.toUpperCase(), path, handlers, calls: 0 });
    },
    reset() {
      routes = [];
      requests.length = 0;
    },
    fetch: redirectingFetch,
    openConnections: () => sockets.size,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseJSON(body: Buffer, req: IncomingMessage): any {
  if (body.length === 0 || !String(req.headers['content-type'] ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function findRoute(routes: Route[], request: RecordedRequest): Route | undefined {
  const pathOnly = request.path.split('?')[0];
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== request.method) continue;
    if (typeof route.path === 'string' ? route.path === pathOnly : route.path.test(request.path))
      return route;
  }
  return undefined;
}

function send(res: ServerResponse, response: MockResponse): void {
  switch (response.kind) {
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'body':
      res.writeHead(response.status, response.headers);
      res.end(response.body);
      return;
    case 'sse': {
      const payloads = response.events.map(encodeSSE);
      if (response.options.done) payloads.push(encodeSSE({ data: '[DONE]' }));
      res.writeHead(response.status, response.headers);
      void writeStream(
        res,
        payloads.map((p) => Buffer.from(p)),
        response.options,
      );
      return;
    }
    case 'frames':
      res.writeHead(response.status, response.headers);
      void writeStream(res, response.frames, response.options);
      return;
  }
}

function encodeSSE(event: SSEEvent): string {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  const lines = event.event ? [`event: ${event.event}`] : [];
  for (const line of data.split('\n')) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

async function writeStream(res: ServerResponse, payloads: Buffer[], options: StreamOptions): Promise<void> {
  // flushHeaders so the client sees the response before the first event.
  res.flushHeaders();
  for (let i = 0; i < payloads.length; i++) {
    if (res.destroyed) return;
    if (options.destroyAfter !== undefined && i === options.destroyAfter) {
      res.socket?.destroy();
      return;
    }
    if (options.hangAfter !== undefined && i === options.hangAfter) return; // left open until the client leaves
    const payload = payloads[i]!;
    const step = options.splitBytes && options.splitBytes > 0 ? options.splitBytes : payload.length;
    for (let offset = 0; offset < payload.length; offset += step) {
      res.write(payload.subarray(offset, offset + step));
      if (options.splitBytes) await delay(0);
    }
    if (options.delayMs) await delay(options.delayMs);
    else await delay(0);
  }
  if (!res.destroyed) res.end();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
