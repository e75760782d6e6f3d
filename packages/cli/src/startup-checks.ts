/**
 * Checks `aicost up` makes before its slow work (opening the engine, loading
 * the price catalogue), so a mistake is reported in the first second with
 * what to do about it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';

const PORT_FLAGS: Record<string, string> = { otlp: '--port', clickhouse: '--clickhouse-port' };

/**
 * Throws (exit 1: the command was right, the machine is not ready) naming the port, what holds it
 * most likely, and the flag to pick another.
 */
export async function assertPortsFree(
  host: string,
  ports: Record<'otlp' | 'clickhouse', number>,
): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    if (port === 0) continue; // any free port
    const problem = await new Promise<NodeJS.ErrnoException | undefined>((done) => {
      const probe = createServer();
      probe.once('error', (error) => done(error));
      probe.listen(port, host, () => probe.close(() => done(undefined)));
    });
    if (problem === undefined) continue;
    const why =
      problem.code === 'EADDRINUSE'
        ? `EADDRINUSE: ${host}:${port} is already in use (another aicost up, an OpenTelemetry Collector${role === 'otlp' ? '' : ' or ClickHouse'}?)`
        : `cannot listen on ${host}:${port}: ${problem.message}`;
    throw new Error(`${why}; stop it, or choose another port with ${PORT_FLAGS[role]} (0: any free port)`);
  }
}

/** A hint when the data directory sits in a git work tree whose .gitignore does not mention it. */
export function gitignoreHint(dataDir: string): string | undefined {
  const absolute = resolve(dataDir);
  let dir = dirname(absolute);
  while (!existsSync(join(dir, '.git'))) {
    const parent = dirname(dir);
    if (parent === dir) return undefined; // not in a git work tree
    dir = parent;
  }
  const entry = relative(dir, absolute).split('\\').join('/');
  const gitignore = join(dir, '.gitignore');
  const lines = existsSync(gitignore)
    ? readFileSync(gitignore, 'utf8')
        .split('\n')
        .map((line) => line.trim())
    : [];
  const ignored = lines.some((line) => [entry, `${entry}/`, `/${entry}`, `/${entry}/`].includes(line));
  return ignored ? undefined : `add ${entry}/ to .gitignore: it holds the local store`;
}
