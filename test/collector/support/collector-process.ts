/**
 * Runs the real aicost collector binary (built by collector/build.sh) in tests:
 * one-shot commands (`validate`, `print-config`) and a long-running collector
 * on random loopback ports, ready once its health_check answers.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const COLLECTOR_DIR = `${REPO_ROOT}collector/`;
export const PRODUCTION_CONFIG = `${COLLECTOR_DIR}config.yaml`;
export const TEST_OVERLAY_CONFIG = `${COLLECTOR_DIR}config.test.yaml`;
export const TLS_OVERLAY_CONFIG = `${COLLECTOR_DIR}config.tls.yaml`;

/** The bearer token the suites configure (AICOST_OTLP_TOKEN) and senders present. */
export const TEST_OTLP_TOKEN = 'test-token-6f1d2c9e8b7a';

export interface CollectorBinary {
  path: string;
  exists: boolean;
}

/** Where collector/build.sh puts (or would put) the binary for the current manifest. */
export function locateCollectorBinary(): CollectorBinary {
  const output = execFileSync('bash', [`${COLLECTOR_DIR}build.sh`, '--print-path'], { encoding: 'utf8' });
  const path = output.trim().split('\n').at(-1) ?? '';
  const exists = path !== '' && existsSync(path);
  // A developer may skip the collector suites by not building it; CI builds it first, so there a
  // missing binary is a broken build, not a reason to report green.
  if (!exists && process.env.CI === 'true') {
    throw new Error(
      `CI=true but no collector binary at ${path || '(no path)'}: run collector/build.sh first`,
    );
  }
  return { path, exists };
}

/** The binary for a suite that skips itself without it, saying so (once per test file). */
export function collectorBinaryOrSkipNotice(): CollectorBinary {
  const binary = locateCollectorBinary();
  if (!binary.exists) {
    console.warn(
      `[collector tests] SKIPPED: no collector binary at ${binary.path}. Build it with collector/build.sh (CI does).`,
    );
  }
  return binary;
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The collector's own env: only what the test sets, so the developer's shell cannot leak in. */
function collectorEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
}

export function runCollectorCommand(
  binary: string,
  args: string[],
  env: Record<string, string> = {},
): CommandResult {
  const result = spawnSync(binary, args, { env: collectorEnv(env), encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningCollector {
  /** `http://127.0.0.1:<port>`: what an app puts in OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpHttpEndpoint: string;
  otlpGrpcEndpoint: string;
  healthUrl: string;
  /** Everything the collector printed so far (its logs and the debug exporter's output). */
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

export async function startCollector(
  binary: string,
  configs: string[],
  env: Record<string, string> = {},
  /** Extra command-line arguments, e.g. `--set=exporters.clickhouse.timeout=1s`. */
  extraArgs: string[] = [],
): Promise<RunningCollector> {
  const [grpcPort, httpPort, healthPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  const child = spawn(binary, [...configs.flatMap((config) => ['--config', config]), ...extraArgs], {
    env: collectorEnv({
      // The on-disk sending queue of this run, unless the test brings its own.
      AICOST_QUEUE_DIR: mkdtempSync(join(tmpdir(), 'aicost-otelcol-queue-')),
      ...env,
      AICOST_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
      AICOST_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      AICOST_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const collector: RunningCollector = {
    otlpHttpEndpoint: `http://127.0.0.1:${httpPort}`,
    otlpGrpcEndpoint: `127.0.0.1:${grpcPort}`,
    healthUrl: `http://127.0.0.1:${healthPort}/`,
    output: () => output,
    stop: () => stopProcess(child, exited),
  };

  try {
    await waitUntilHealthy(collector.healthUrl, exited);
  } catch (error) {
    await collector.stop();
    throw new Error(`${(error as Error).message}\n--- collector output ---\n${output}`);
  }
  return collector;
}

async function waitUntilHealthy(healthUrl: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`collector exited with code ${exitCode} before it was ready`);
    try {
      const response = await fetch(healthUrl);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`collector not healthy at ${healthUrl} after ${READY_TIMEOUT_MS} ms`);
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killTimer);
}

/**
 * The e2e apps load the built packages (@aicost/node, the aicost CLI), as users
 * do. `pnpm test` builds them first; a direct vitest run needs `pnpm run build`.
 */
export function assertPackagesBuilt(...packages: ('node' | 'cli' | 'core')[]): void {
  const entry = {
    node: 'packages/node/dist/index.js',
    cli: 'packages/cli/dist/bin.js',
    core: 'packages/core/dist/index.js',
  };
  const missing = packages.map((name) => `${REPO_ROOT}${entry[name]}`).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.join(', ')}. Run \`pnpm run build\` first (\`pnpm test\` does).`);
  }
}
