/**
 * `aicost demo`: the whole loop on one machine, with no API keys. Starts the
 * local collector (`aicost up`, random ports, a fresh store in ./.aicost/demo),
 * a loopback mock of the OpenAI, Anthropic, Gemini, Mistral and Cohere APIs,
 * and the sample support application with `--import @aicost/node/register`,
 * twice, as two releases of the service sharing the traffic (the app records a
 * `ticket_resolved` outcome per answered ticket); then prints the cost by
 * feature and by customer, loads a revenue table and prints the unit
 * economics per customer, and how to query further.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { flag, type ParsedArgs, parseArgs, str, UsageError } from '../args.js';
import { demoEconomics } from '../demo/economics.js';
import { startMockProviders } from '../demo/mock-providers.js';
import { type RunningCollector, runApp, startCollector } from '../demo/processes.js';
import { createProgress } from '../demo/progress.js';
import { findSampleApp, nodeFlagsFor } from '../demo/sample-app.js';
import { findRunningCollector } from '../runtime.js';
import { readCredential } from '../server/access.js';
import { report, reportOptions } from './report.js';

export const demoOptions = {
  'data-dir': { type: 'string' },
  app: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

const DEFAULT_DEMO_DIR = join('.aicost', 'demo');
/** The sample app runs twice, as these two releases of the service (resource service.version). */
const DEMO_RELEASES = ['2026.11.0', '2026.12.0'] as const;
/** Marks a directory as the demo's own, so a fresh run may delete it. */
const MARKER = '.aicost-demo';

/**
 * The demo store starts empty on every run (same numbers every time). Only a
 * directory the demo created (marker file) or an empty one is deleted.
 */
function freshDataDir(dataDir: string): void {
  const running = findRunningCollector(dataDir);
  if (running) {
    throw new Error(`an aicost up (pid ${running.pid}) is running on ${dataDir}: stop it or pass --data-dir`);
  }
  if (existsSync(dataDir)) {
    const entries = readdirSync(dataDir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`${dataDir} exists and is not a demo directory; pass another --data-dir`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, MARKER), 'created by aicost demo; deleted and recreated on every run\n');
}

/**
 * How the user types this CLI: `aicost` when installed; from a clone, the
 * built file, run through the same pnpm when the demo came from `pnpm demo`
 * (its PATH has the project's Node, which a system `node` may not be).
 */
function cliCommand(): string {
  const script = process.argv[1] ?? '';
  if (!script || script.includes(join('node_modules', '')) || !isAbsolute(script)) return 'aicost';
  const command = `node ${relative(process.cwd(), script) || script}`;
  const pnpm = /\bpnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '');
  return pnpm ? `npx -y pnpm@${pnpm[1]} exec ${command}` : command;
}

function shellPath(path: string): string {
  const near = relative(process.cwd(), path) || '.';
  const shown = near.startsWith('..') ? path : near;
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

/** Rows in the request table, through the collector's ClickHouse HTTP interface. */
async function requestRows(clickhouseUrl: string, dataDir: string): Promise<number> {
  const query = 'SELECT count() FROM otel.aicost_requests FORMAT TabSeparated';
  // The collector's credential is in the data directory it owns.
  const headers: Record<string, string> = { 'X-ClickHouse-Key': readCredential(dataDir)?.password ?? '' };
  const response = await fetch(`${clickhouseUrl}/?query=${encodeURIComponent(query)}`, { headers });
  if (!response.ok) throw new Error(`counting requests failed: ${await response.text()}`);
  return Number((await response.text()).trim());
}

/** The app exits after its exporter has been acknowledged; a short wait covers the last batch. */
async function waitForRows(
  clickhouseUrl: string,
  dataDir: string,
  expected: number,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await requestRows(clickhouseUrl, dataDir);
    if (rows >= expected || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The app's environment: the demo decides where telemetry goes, so a user's
 * own OTel settings must not redirect or disable it.
 */
function appEnvironment(
  otlpUrl: string,
  providersUrl: string,
  release: string,
  part: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const overridden =
    /^OTEL_EXPORTER_OTLP_|^OTEL_(TRACES|METRICS|LOGS)_EXPORTER$|^OTEL_SDK_DISABLED$|^AICOST_ENABLED$/;
  for (const name of Object.keys(env)) {
    if (overridden.test(name)) delete env[name];
  }
  return {
    ...env,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
    OTEL_SERVICE_NAME: 'support-app',
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=demo,service.version=${release}`,
    PROVIDER_MOCK_URL: providersUrl,
    SUPPORT_APP_PART: part,
  };
}

/** `aicost report` by feature, then by customer, through the running collector. */
async function printReports(dataDir: string): Promise<void> {
  for (const by of ['feature', 'customer']) {
    process.stdout.write(`Cost by ${by}\n`);
    const code = await report(parseArgs(['--by', by, '--since', '1d', '--data-dir', dataDir], reportOptions));
    if (code !== 0) throw new Error(`aicost report --by ${by} failed`);
    process.stdout.write('\n');
  }
}

function printNextSteps(dataDir: string): void {
  const cli = cliCommand();
  const dir = shellPath(dataDir);
  process.stdout.write(
    [
      `The data stays in ${dir} until the next demo. Try:`,
      `  ${cli} report --data-dir ${dir} --by feature --by model`,
      `  ${cli} economics --data-dir ${dir}      (margin, cost per outcome, releases, what-if, capacity)`,
      `  ${cli} report --data-dir ${dir} --by release      (cost per request and per ticket, release against release)`,
      `  ${cli} whatif --data-dir ${dir} --model gpt-4o-mini --feature support-chat`,
      `  ${cli} sql --data-dir ${dir} "SELECT feature, customer, model, count() AS requests, sum(cost_total) AS cost FROM otel.aicost_requests GROUP BY ALL ORDER BY cost DESC"`,
      '',
      'Your own app: start the local collector, then run your app with aicost loaded:',
      `  ${cli} up`,
      '  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node --import @aicost/node/register app.js',
      '',
    ].join('\n'),
  );
}

export async function demo(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const dataDir = resolve(str(args, 'data-dir') ?? DEFAULT_DEMO_DIR);
  const app = findSampleApp(str(args, 'app'));
  if (!app) {
    process.stderr.write(
      str(args, 'app')
        ? `aicost demo: ${str(args, 'app')} does not exist\n`
        : 'aicost demo: the sample app (examples/support-app) was not found. Run the demo from a clone of the aicost\n' +
            'repository (npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 demo), or pass --app <entry file>.\n',
    );
    return 1;
  }
  const started = Date.now();
  const progress = createProgress(process.stderr, !flag(args, 'quiet'));
  freshDataDir(dataDir);

  // Children must not outlive the demo: an orphaned collector would keep the store locked.
  const cleanup: (() => void)[] = [];
  const killChildren = () => {
    for (const step of cleanup.reverse()) step();
    cleanup.length = 0;
  };
  const onSignal = () => {
    killChildren();
    process.stderr.write('\naicost demo: interrupted\n');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killChildren);
  // `aicost demo | head` closes stdout early: not a failure of the demo.
  const ignoreClosedPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  };
  process.stdout.on('error', ignoreClosedPipe);

  let collector: RunningCollector | undefined;
  try {
    progress.phase(`starting the local collector (store: ${shellPath(dataDir)})`);
    collector = await startCollector(dataDir, undefined, { writable: true });
    cleanup.push(() => collector?.kill());
    const providers = await startMockProviders();
    cleanup.push(() => void providers.close());
    progress.phase(`mock OpenAI, Anthropic, Gemini, Mistral and Cohere APIs on ${providers.url}`);
    // Both releases run at once, each serving half of the traffic: the app's start-up (Node,
    // five provider SDKs) dominates a run, so running them in parallel keeps the demo short.
    progress.phase(
      `running ${relative(process.cwd(), app.entry) || app.entry} as releases ${DEMO_RELEASES.join(' and ')} (half of the traffic each) with --import @aicost/node/register`,
    );
    const counts = DEMO_RELEASES.map(() => ({ done: 0, total: 0 }));
    const runs = DEMO_RELEASES.map((release, index) => {
      const run = runApp(
        {
          args: [...nodeFlagsFor(app.entry), '--import', '@aicost/node/register', app.entry],
          cwd: app.cwd,
          env: appEnvironment(
            collector!.otlpUrl,
            providers.url,
            release,
            `${index + 1}/${DEMO_RELEASES.length}`,
          ),
        },
        (done, runTotal, detail) => {
          counts[index] = { done, total: runTotal };
          const sum = counts.reduce((s, c) => ({ done: s.done + c.done, total: s.total + c.total }), {
            done: 0,
            total: 0,
          });
          progress.update(sum.done, sum.total, detail);
        },
      );
      cleanup.push(() => run.kill());
      return run.result;
    });
    const results = await Promise.all(runs);
    progress.finish();
    for (const result of results) {
      if (result.code !== 0) {
        const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
        throw new Error(`the sample app ${how}\n${result.stderr.trim()}`);
      }
    }
    const total = results.reduce((s, r) => s + r.total, 0);
    const appStderr = results.map((r) => r.stderr).join('');
    if (total === 0) throw new Error(`the sample app made no requests\n${appStderr.trim()}`);
    const result = { total, stderr: appStderr };

    const rows = await waitForRows(collector.clickhouseUrl, dataDir, result.total);
    if (rows < result.total) {
      throw new Error(
        `the collector has ${rows} of ${result.total} requests: spans were lost on the way` +
          `\n(app stderr: ${result.stderr.trim() || 'empty'})`,
      );
    }
    await providers.close();
    progress.phase(`${result.total} requests recorded in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);

    await printReports(dataDir);
    await demoEconomics(dataDir, collector.clickhouseUrl);
    printNextSteps(dataDir);
    return 0;
  } catch (err) {
    progress.finish();
    killChildren();
    process.stderr.write(`aicost demo: ${(err as Error).message}\n`);
    return 1;
  } finally {
    if (collector && cleanup.length > 0) await collector.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killChildren);
    process.stdout.off('error', ignoreClosedPipe);
  }
}
