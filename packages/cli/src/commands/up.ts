/**
 * `aicost up`: the local collector. One process owns the store (embedded
 * engine on --data-dir), receives OTLP/HTTP and answers the ClickHouse HTTP
 * interface over the same store. Security: see the README's "Security of
 * aicost up" section and server/access.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { browserRequestsFrom } from '@aicost/ui';
import { bytes, flag, int, type ParsedArgs, str, UsageError } from '../args.js';
import { clearRunningState, DEFAULT_DATA_DIR, findRunningCollector, writeRunningState } from '../runtime.js';
import {
  boundAddressOf,
  isLoopbackHost,
  type LocalCredential,
  loadOrCreateCredential,
} from '../server/access.js';
import { createClickHouseHttpServer } from '../server/clickhouse-http.js';
import { IngestQueue } from '../server/ingest-queue.js';
import { createOtlpReceiver } from '../server/otlp-http.js';
import { loadEngineFunctions } from '../server/read-guard.js';
import { assertPortsFree, gitignoreHint } from '../startup-checks.js';
import { loadCatalogue } from './prices.js';

export const upOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  'clickhouse-port': { type: 'string' },
  'ui-port': { type: 'string' },
  'no-ui': { type: 'boolean' },
  'data-dir': { type: 'string' },
  writable: { type: 'boolean' },
  // Refused with a message: a password on the command line shows in the process list.
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'otlp-auth': { type: 'boolean' },
  'allow-origin': { type: 'string', multiple: true },
  'max-body-size': { type: 'string' },
  'max-insert-size': { type: 'string' },
  'max-query-size': { type: 'string' },
  'body-timeout': { type: 'string' },
  'max-query-memory': { type: 'string' },
  'max-query-time': { type: 'string' },
  'max-result-size': { type: 'string' },
  'max-queue-size': { type: 'string' },
  'max-inflight': { type: 'string' },
  'prices-file': { type: 'string' },
  'no-prices': { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/** The UI's address as a browser takes it (an IPv6 host in brackets). */
export function uiUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** The password given without the command line: AICOST_PASSWORD or --password-file; undefined: generated. */
function configuredPassword(args: ParsedArgs): string | undefined {
  if (str(args, 'password') !== undefined) {
    throw new UsageError(
      '--password would show in the process list; set AICOST_PASSWORD, pass --password-file, or let aicost up generate one',
    );
  }
  const file = str(args, 'password-file');
  if (file) return readFileSync(file, 'utf8').trim();
  return process.env.AICOST_PASSWORD || undefined;
}

/** Printed once, when the credential is created: how to connect the usual clients. */
function credentialNotice(credential: LocalCredential, host: string, port: number, dataDir: string): string {
  const address = isLoopbackHost(host) || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${address}:${port}`;
  return `a credential was created for this store (kept in ${dataDir}/credential.json, mode 0600; shown only now).
  user: ${credential.user}   password: ${credential.password}
  Grafana datasource (provisioning YAML):
    - name: aicost
      type: grafana-clickhouse-datasource
      jsonData: { host: ${address}, port: ${port}, protocol: http, username: ${credential.user}, defaultDatabase: otel }
      secureJsonData: { password: ${credential.password} }
  @clickhouse/client:
    createClient({ url: '${url}', username: '${credential.user}', password: process.env.AICOST_PASSWORD })
  aicost report / sql on the same --data-dir pick it up themselves.`;
}

export async function up(args: ParsedArgs): Promise<number> {
  const host = str(args, 'host') ?? '127.0.0.1';
  const dataDir = str(args, 'data-dir') ?? DEFAULT_DATA_DIR;
  const quiet = flag(args, 'quiet');
  const log = (message: string) => process.stderr.write(`aicost up: ${message}\n`);
  const info = (message: string) => {
    if (!quiet) log(message);
  };

  const running = findRunningCollector(dataDir);
  if (running) {
    log(`another aicost up (pid ${running.pid}) already owns ${running.dataDir}`);
    return 1;
  }
  // Before the slow part (engine, price catalogue): a busy port is reported at once, with the fix.
  await assertPortsFree(host, {
    otlp: int(args, 'port', 4318),
    clickhouse: int(args, 'clickhouse-port', 8123),
  });
  // The native engine loads only here and on the local-store paths of store/backend.ts.
  const { LocalEngine } = await import('../store/engine.js');
  const password = configuredPassword(args);
  const loopback = isLoopbackHost(host);
  const engine = await LocalEngine.open(dataDir, {
    readLimits: {
      maxMemoryBytes: bytes(args, 'max-query-memory', 2 * 1024 ** 3),
      maxExecutionSeconds: int(args, 'max-query-time', 60),
      maxResultBytes: bytes(args, 'max-result-size', 512 * 1024 ** 2),
    },
  });
  const servers: Server[] = [];
  try {
    if (!flag(args, 'no-prices')) {
      // Prices for spans that arrive without a cost (other languages, other instrumentations).
      const loaded = await loadCatalogue((statement) => engine.query(statement), {
        pricesFile: str(args, 'prices-file'),
      });
      info(`loaded ${loaded.rows} price rows and ${loaded.aliases} model aliases`);
    }
    const version = (await engine.query('SELECT version()', { format: 'TabSeparated' })).text().trim();
    const functions = await loadEngineFunctions(async (sql) => (await engine.query(sql)).text());
    const { credential, created } = loadOrCreateCredential(engine.dataDir, password);
    // Beyond loopback the OTLP port needs the credential too.
    const otlpAuth = flag(args, 'otlp-auth') || !loopback;
    const allowedOrigins = (args.options['allow-origin'] as string[] | undefined) ?? [];
    const bodyTimeoutMs = int(args, 'body-timeout', 30) * 1000;

    const queue = new IngestQueue({
      insert: (table, rows) => engine.insertJsonRows(table, rows),
      maxQueuedBytes: bytes(args, 'max-queue-size', 64 * 1024 * 1024),
      expectMore: () => otlp.decoding > 0,
    });
    const otlp = createOtlpReceiver({
      queue,
      maxBodyBytes: bytes(args, 'max-body-size', 16 * 1024 * 1024),
      maxInflight: int(args, 'max-inflight', 32),
      retryAfterSeconds: 1,
      bodyTimeoutMs,
      credential: otlpAuth ? credential : undefined,
      bound: () => bindOf(otlp.server)(),
      health: () => ({ dataDir: engine.dataDir }),
      log,
    });
    const clickhouse = createClickHouseHttpServer({
      engine,
      writable: flag(args, 'writable'),
      credential,
      bound: () => bindOf(clickhouse)(),
      maxInsertBytes: bytes(args, 'max-insert-size', 64 * 1024 * 1024),
      maxQueryBytes: bytes(args, 'max-query-size', 1024 * 1024),
      bodyTimeoutMs,
      version,
      functions,
      log,
    });
    const bindOf = (server: Server) => boundAddressOf(server, host, allowedOrigins);
    for (const server of [otlp.server, clickhouse]) server.maxConnections = 1024;

    // The web UI (@aicost/ui): its own port, read-only queries on the same engine.
    const uiSecret = randomBytes(32).toString('base64url');
    const ui: Server | undefined = flag(args, 'no-ui')
      ? undefined
      : (await import('@aicost/ui')).createUiServer({
          engine,
          log,
          // The check of the other ports, against the UI's bound address (a link from elsewhere may open a page),
          // and a secret of the UI's own: a session there never opens the SQL port.
          authorize: browserRequestsFrom(() => bindOf(ui!)(), { navigation: true }),
          sessionSecret: uiSecret,
        });

    servers.push(otlp.server, clickhouse, ...(ui ? [ui] : []));
    const otlpPort = await listen(otlp.server, int(args, 'port', 4318), host);
    const clickhousePort = await listen(clickhouse, int(args, 'clickhouse-port', 8123), host);
    // A caller asking for free ports (tests, the demo) gets a free one for the UI too.
    const freePorts = str(args, 'port') === '0' || str(args, 'clickhouse-port') === '0';
    const uiPort = ui ? await listen(ui, int(args, 'ui-port', freePorts ? 0 : 4319), host) : undefined;
    writeRunningState(dataDir, {
      pid: process.pid,
      host,
      otlpPort,
      clickhousePort,
      ...(uiPort === undefined ? {} : { uiPort, uiSecret }),
      writable: flag(args, 'writable'),
      dataDir: engine.dataDir,
    });
    if (created) log(credentialNotice(credential, host, clickhousePort, engine.dataDir));
    if (!loopback) {
      log(
        `WARNING: listening on ${host}, beyond this machine's loopback: anyone who can reach it and has the credential ` +
          'can read the store (and write it with --writable); OTLP requires the credential too. Prefer 127.0.0.1 behind a TLS proxy.',
      );
    }
    // Tests and scripts wait for this line (stdout, always printed).
    process.stdout.write(
      `aicost up: ready otlp=http://${host}:${otlpPort} clickhouse=http://${host}:${clickhousePort} data=${engine.dataDir}${uiPort === undefined ? '' : ` ui=${uiUrl(host, uiPort)}`}\n`,
    );
    if (uiPort !== undefined) info(`web UI on ${uiUrl(host, uiPort)} (aicost ui prints it again)`);
    info(
      `OTLP/HTTP on http://${host}:${otlpPort}/v1/traces and /v1/metrics${otlpAuth ? ' (credential required)' : ''}`,
    );
    info(
      `ClickHouse HTTP on http://${host}:${clickhousePort} (${flag(args, 'writable') ? 'writable' : 'read-only'}), engine ${version}`,
    );
    const hint = gitignoreHint(engine.dataDir);
    if (hint) info(hint);

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) {
          log(`${signal} again: exiting without draining`);
          process.exit(1);
        }
        stopping = true;
        info(`${signal}: draining`);
        const otlpClosed = closeServer(otlp.server);
        await otlp.drain();
        await queue.drain();
        await Promise.all([otlpClosed, closeServer(clickhouse), ...(ui ? [closeServer(ui)] : [])]);
        engine.close();
        clearRunningState(dataDir);
        info('stopped');
        resolve(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
  } catch (err) {
    // A port in use or a schema error: release what was opened so the process can exit.
    await Promise.all(servers.map((server) => closeServer(server)));
    engine.close();
    throw err;
  }
}
