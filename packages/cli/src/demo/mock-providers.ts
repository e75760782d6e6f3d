/**
 * A loopback server that speaks the OpenAI, Anthropic, Gemini, Mistral and Cohere wire formats
 * well enough for the real provider SDKs: the network is the only fake part of
 * `aicost demo`. Answers are deterministic (same request, same reply and
 * usage, cached tokens included), JSON or SSE as the request asks.
 *
 * Routes:
 * - `POST /v1/chat/completions`, `POST /v1/embeddings` (OpenAI; Mistral's format for Mistral models)
 * - `POST /v1/messages` (Anthropic)
 * - `POST /v1beta/models/{model}:generateContent|streamGenerateContent` (Gemini API; `/v1/` too)
 * - `POST /v2/chat`, `POST /v2/embed` (Cohere)
 * - `GET /health`: request counts per provider
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicMessages } from './mock-anthropic.js';
import { cohereChat, cohereEmbed } from './mock-cohere.js';
import { geminiGenerate } from './mock-gemini.js';
import { MISTRAL_MODEL, mistralChat } from './mock-mistral.js';
import { openaiChat, openaiEmbeddings } from './mock-openai.js';
import type { MockReply } from './reply.js';

export interface MockProvidersOptions {
  host?: string;
  /** `0` (default): a free port. */
  port?: number;
  /** Pause between SSE events, so streams arrive in pieces as they do from a real API. Default 2 ms. */
  streamDelayMs?: number;
}

export interface MockProviders {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Requests answered so far, per provider (`openai`, `anthropic`, `gemini`, `mistral`, `cohere`) and `unknown`. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

/** `provider` names the route for the request counts (a function when the body decides). */
type Route = { provider: string | ((body: unknown) => string); reply: (body: unknown) => MockReply };

const GEMINI_PATH = /^\/v1(?:beta)?\/models\/([^/:]+):([A-Za-z]+)$/;

function route(method: string | undefined, pathname: string): Route | undefined {
  if (method !== 'POST') return undefined;
  if (pathname === '/v1/chat/completions') {
    // One path, two vendors: the model says whose format to answer in.
    const isMistral = (body: unknown) =>
      MISTRAL_MODEL.test(String((body as { model?: unknown })?.model ?? ''));
    return {
      provider: (body) => (isMistral(body) ? 'mistral' : 'openai'),
      reply: (body) => (isMistral(body) ? mistralChat(body) : openaiChat(body)),
    };
  }
  if (pathname === '/v2/chat') return { provider: 'cohere', reply: cohereChat };
  if (pathname === '/v2/embed') return { provider: 'cohere', reply: cohereEmbed };
  if (pathname === '/v1/embeddings') return { provider: 'openai', reply: openaiEmbeddings };
  if (pathname === '/v1/messages') return { provider: 'anthropic', reply: anthropicMessages };
  const gemini = GEMINI_PATH.exec(pathname);
  if (gemini) {
    const [, model = '', action = ''] = gemini;
    return { provider: 'gemini', reply: (body) => geminiGenerate(decodeURIComponent(model), action, body) };
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

async function send(res: ServerResponse, reply: MockReply, streamDelayMs: number): Promise<void> {
  if (reply.kind === 'json') {
    const body = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of reply.events) {
    if (res.destroyed) return; // the client aborted the stream
    res.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
    if (streamDelayMs > 0) await sleep(streamDelayMs);
  }
  res.end();
}

export async function startMockProviders(options: MockProvidersOptions = {}): Promise<MockProviders> {
  const streamDelayMs = options.streamDelayMs ?? 2;
  const counts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://mock').pathname;
    if (req.method === 'GET' && pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requests: counts }));
      return;
    }
    const match = route(req.method, pathname);
    const count = (provider: string) => {
      counts[provider] = (counts[provider] ?? 0) + 1;
    };
    if (!match) {
      count('unknown');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no mock for ${req.method} ${pathname}` } }));
      return;
    }
    readJson(req)
      .then((body) => {
        count(typeof match.provider === 'string' ? match.provider : match.provider(body));
        return send(res, match.reply(body), streamDelayMs);
      })
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bad request body: ${(err as Error).message}` } }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
