/**
 * Runs a test app the way a bundled application runs: esbuild (the one tsup
 * installs) inlines the app, the provider SDK, the instrumentation and
 * OpenTelemetry into one file, and plain `node` runs it with no `--import`,
 * no `--require` and no NODE_OPTIONS. No module hook can see the SDK load,
 * so only `instrument(sdkModule)` can make spans.
 *
 * The app imports `startTelemetry` from bundled-telemetry.ts and calls
 * `report()` when done; the test gets the spans back.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_PREFIX, type ReportedSpan } from './bundled-telemetry.js';
import { type MockServer, startMockServer } from './mock-server.js';

const require = createRequire(import.meta.url);

export interface BundledRun {
  spans: ReportedSpan[];
  /** Every file esbuild put into the bundle, relative to the working directory. */
  inputs: string[];
  stdout: string;
  stderr: string;
}

/** The part of esbuild's API used here (esbuild is not a dependency whose types we can import). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ metafile: { inputs: Record<string, unknown> } }>;
}

function esbuild(): Esbuild {
  // esbuild is not a direct dependency: it comes with tsup, as in most TypeScript projects.
  return createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
}

const CORE_SOURCE = fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url));

/** Bundles `entry` (a .ts file) for Node and runs it with `env` only; resolves with the spans it reported. */
export async function runBundledApp(entry: URL, env: Record<string, string>): Promise<BundledRun> {
  const dir = await mkdtemp(join(tmpdir(), 'aicost-bundle-'));
  try {
    const outfile = join(dir, 'app.mjs');
    const result = await esbuild().build({
      entryPoints: [fileURLToPath(entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      metafile: true,
      logLevel: 'silent',
      // The sources under test, as the vitest config aliases them.
      alias: { '@aicost/core': CORE_SOURCE },
      // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __aicostRequire } from 'node:module'; const require = __aicostRequire(import.meta.url);",
      },
    });
    const { code, stdout, stderr } = await run(process.execPath, [outfile], {
      PATH: process.env.PATH ?? '',
      ...env,
    });
    if (code !== 0) throw new Error(`bundled app exited with ${code}:\n${stderr}`);
    const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
    if (!line) throw new Error(`bundled app reported no spans:\n${stdout}\n${stderr}`);
    return {
      spans: JSON.parse(line.slice(REPORT_PREFIX.length)) as ReportedSpan[],
      inputs: Object.keys(result.metafile.inputs),
      stdout,
      stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface BundledAppCase {
  /** The package's bundled test app (`new URL('./bundled/app.ts', import.meta.url)`). */
  app: URL;
  /** Scripts the mock server the app's two calls go to. */
  respond: (server: MockServer) => void;
  /** What the app prints of the instrumented call's response. */
  stdout: string;
  /** A path inside the SDK's package, e.g. `groq-sdk/`: the bundle must hold the SDK. */
  sdkPath: string;
  /** The one span: the instrumented call's (the call after `disable()` makes none). */
  span: Record<string, unknown>;
  /** Further checks of that span. */
  alsoCheck?: (span: ReportedSpan) => void;
  timeoutMs?: number;
}

/**
 * The describe block 'a bundled application without module hooks' of a package's instrument
 * tests: the app makes a call after `instrument()` and one after `disable()`; only the first
 * has a span, priced and attributed.
 */
export function describeBundledApp({
  app,
  respond,
  stdout,
  sdkPath,
  span,
  alsoCheck,
  timeoutMs,
}: BundledAppCase): void {
  describe('a bundled application without module hooks', () => {
    let server: MockServer;
    beforeAll(async () => {
      server = await startMockServer();
      respond(server);
    });
    afterAll(() => server.close());

    it(
      'gets one priced, attributed span per call from instrument(); disable() stops it',
      async () => {
        const run = await runBundledApp(app, { MOCK_URL: server.url });
        expect(run.stdout).toContain(stdout);
        expect(server.requests).toHaveLength(2);
        // The SDK is inside the bundle: no hook could have patched it.
        expect(run.inputs.some((input) => input.includes(sdkPath))).toBe(true);
        expect(run.spans).toHaveLength(1);
        expect(run.spans[0]).toMatchObject(span);
        alsoCheck?.(run.spans[0]!);
      },
      timeoutMs,
    );
  });
}
