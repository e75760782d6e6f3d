import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributionBaggagePropagator,
  getAttribution,
  setAttribution,
  withAttribution,
} from '../src/attribution/index.js';

/**
 * Two real HTTP services on loopback. The front service receives a request,
 * extracts its context, adds attribution and calls the back service; the back
 * service reports the attribution it sees and the raw `baggage` header.
 */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
  return headers;
}

/** What an HTTP server instrumentation does: extract, then run the handler in that context. */
function instrumented(handler: Handler): Handler {
  return (req, res) => {
    const extracted = propagation.extract(context.active(), headersOf(req));
    context.with(extracted, () => handler(req, res));
  };
}

async function listen(handler: Handler): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(instrumented(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What an HTTP client instrumentation does: inject the active context into the outgoing headers. */
async function get(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  propagation.inject(context.active(), headers);
  const response = await fetch(url, { headers });
  return response.json();
}

const servers: http.Server[] = [];
let frontUrl = '';

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [
        new W3CTraceContextPropagator(),
        new AttributionBaggagePropagator({ allowedKeys: ['feature', 'customer', 'workflow'] }),
      ],
    }),
  );
  const back = await listen((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ attribution: getAttribution(), baggage: req.headers.baggage ?? null }));
  });
  const front = await listen((_req, res) => {
    // The front service's middleware sets the customer for this request; the route adds the feature
    // and passes on the caller's workflow explicitly (withAttribution replaces what came in with the
    // request rather than merging it, see attribution-trust.test.ts).
    setAttribution({ customer: 'acme', team: 'payments' });
    const { workflow } = getAttribution();
    withAttribution({ workflow, feature: 'invoice-summary', internalNote: 'never-leaves' }, async () => {
      const downstream = await get(`${back.url}/work`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ seenHere: getAttribution(), downstream }));
    });
  });
  servers.push(back.server, front.server);
  frontUrl = front.url;
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  propagation.disable();
  context.disable();
});

describe('attribution across two HTTP services', () => {
  it('crosses the process boundary in the baggage header, allow-listed keys only', async () => {
    const result = (await get(frontUrl, { baggage: 'aicost.workflow=nightly,unrelated=keep' })) as {
      seenHere: Record<string, string>;
      downstream: { attribution: Record<string, string>; baggage: string };
    };
    expect(result.seenHere).toEqual({
      workflow: 'nightly',
      customer: 'acme',
      team: 'payments',
      feature: 'invoice-summary',
      internalNote: 'never-leaves',
    });
    // team and the custom key are not on the allow-list: they stay in the front process.
    expect(result.downstream.attribution).toEqual({
      workflow: 'nightly',
      customer: 'acme',
      feature: 'invoice-summary',
    });
    expect(result.downstream.baggage).toContain('unrelated=keep');
    expect(result.downstream.baggage).not.toContain('aicost.team');
    expect(result.downstream.baggage).not.toContain('internalNote');
  });

  it('keeps concurrent requests apart', async () => {
    const [a, b] = (await Promise.all([
      get(frontUrl, { baggage: 'aicost.workflow=a' }),
      get(frontUrl, { baggage: 'aicost.workflow=b' }),
    ])) as Array<{ downstream: { attribution: Record<string, string> } }>;
    expect(a?.downstream.attribution.workflow).toBe('a');
    expect(b?.downstream.attribution.workflow).toBe('b');
  });
});
