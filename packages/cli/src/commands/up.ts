/**
 * `aicost up`: the local collector. One process owns the store (embedded
 * engine on --data-dir), receives OTLP/HTTP and answers the ClickHouse HTTP
 * interface over the same store.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytes, flag, int, type ParsedArgs, str } from '../args.js';
import { clearRunningState, DEFAULT_DATA_DIR, findRunningCollector, writeRunningState } from '../runtime.js';
import { createClickHouseHttpServer } from '../server/clickhouse-http.js';
import { IngestQueue } from '../server/ingest-queue.js';
import { createOtlpReceiver } from '../server/otlp-http.js';
import { externalFunctionsOf } from '../server/sql-text.js';
import { assertPortsFree, gitignoreHint } from '../startup-checks.js';
import { loadCatalogue } from './prices.js';

export const upOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  'clickhouse-port': { type: 'string' },
  'data-dir': { type: 'string' },
  writable: { type: 'boolean' },
  user: { type: 'string' },
  password: { type: 'string' },
  'max-body-size': { type: 'string' },
  'max-queue-size': { type: 'string' },
  'max-inflight': { type: 'string' },
  'prices-file': { type: 'string' },
  'no-prices': { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

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
  const engine = await LocalEngine.open(dataDir);
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
    const tableFunctions = (await engine.query('SELECT name FROM system.table_functions')).text();

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
      health: () => ({ dataDir: engine.dataDir }),
      log,
    });
    const clickhouse = createClickHouseHttpServer({
      engine,
      writable: flag(args, 'writable'),
      user: str(args, 'user'),
      password: str(args, 'password'),
      maxBodyBytes: 256 * 1024 * 1024,
      version,
      externalFunctions: externalFunctionsOf(tableFunctions.split('\n').filter(Boolean)),
      log,
    });

    servers.push(otlp.server, clickhouse);
    const otlpPort = await listen(otlp.server, int(args, 'port', 4318), host);
    const clickhousePort = await listen(clickhouse, int(args, 'clickhouse-port', 8123), host);
    writeRunningState(dataDir, {
      pid: process.pid,
      host,
      otlpPort,
      clickhousePort,
      writable: flag(args, 'writable'),
      dataDir: engine.dataDir,
    });
    // Tests and scripts wait for this line (stdout, always printed).
    process.stdout.write(
      `aicost up: ready otlp=http://${host}:${otlpPort} clickhouse=http://${host}:${clickhousePort} data=${engine.dataDir}\n`,
    );
    info(`OTLP/HTTP on http://${host}:${otlpPort}/v1/traces and /v1/metrics`);
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
        await Promise.all([otlpClosed, closeServer(clickhouse)]);
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
