/**
 * Set-ups that used to fail silently: each now says what went wrong and how
 * to fix it, once, on stderr. Real processes, as a user starts them.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from './support/build.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function run(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const child = spawn(NODE_BIN, args, {
    cwd: fixtures,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr, elapsedMs: Date.now() - started };
}

const aicostLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('aicost:'));
const noExport = { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' };

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(() => ensureBuilt('core', 'node'), 180_000);

describe('misconfigurations are reported', () => {
  it('a provider SDK loaded before register() is named, with the fix', async () => {
    const result = await run(['app-sdk-loaded-first.cjs'], noExport);
    expect(result.code, result.stderr).toBe(0);
    expect(aicostLines(result.stderr)).toEqual([
      'aicost: openai was loaded before register(), so its calls are not instrumented. Start the app with node --import @aicost/node/register (ESM) or node -r @aicost/node/register (CommonJS), or call register() before loading openai',
    ]);
  });

  it('no such warning when the preload registers first', async () => {
    const result = await run(['-r', '@aicost/node/register', 'app-sdk-loaded-first.cjs'], noExport);
    expect(result.code, result.stderr).toBe(0);
    expect(aicostLines(result.stderr)).toEqual([]);
  });

  it('options given to register() after --import are named in one warning, with what to set instead', async () => {
    const result = await run(['--import', '@aicost/node/register', 'app-late-options.mjs'], noExport);
    expect(result.code, result.stderr).toBe(0);
    expect(aicostLines(result.stderr)).toEqual([
      'aicost: register() was called again after aicost was set up (by --import/-r @aicost/node/register or an earlier register()); these options are ignored: serviceName (set OTEL_SERVICE_NAME), baggageAllowList (set AICOST_BAGGAGE_ALLOWLIST). Pass them in the first call, or drop the preload and call register() first thing',
    ]);
  });

  it('the first failed export names the endpoint, the protocol and what the collector answered', async () => {
    let requests = 0;
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      request.on('end', () => response.writeHead(415, 'Unsupported Media Type').end());
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await run(['--import', '@aicost/node/register', 'app-one-span.mjs'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toBeGreaterThan(0);
    expect(aicostLines(result.stderr)).toEqual([
      `aicost: exporting spans to ${endpoint}/v1/traces (OTLP http/json) failed: HTTP 415 Unsupported Media Type (is OTEL_EXPORTER_OTLP_PROTOCOL the one the collector expects?)`,
    ]);
  });

  it('with the collector down a short script still ends within the flush bound, and says why it waited', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['--import', '@aicost/node/register', 'app-one-span.mjs'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_METRICS_EXPORTER: 'none',
      AICOST_SHUTDOWN_TIMEOUT_MS: '500',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('done');
    expect(aicostLines(result.stderr)).toContain(
      'aicost: telemetry not flushed within 500 ms (AICOST_SHUTDOWN_TIMEOUT_MS); exiting',
    );
    // The exporter alone retries for about 10 s (OTEL_EXPORTER_OTLP_TIMEOUT) before giving up.
    expect(result.elapsedMs).toBeLessThan(8_000);
  });
});
