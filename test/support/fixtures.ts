/** Reads recorded provider responses kept as one JSON file per case in a package's `test/mock-responses/`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Returns a loader for the fixtures in `dir` (a path or a `file:` URL such as
 * `new URL('./mock-responses/', import.meta.url)`): `load('chat-basic')` reads
 * `chat-basic.json`. Each call returns a fresh copy, so tests may mutate it.
 */
export function fixtureLoader(dir: string | URL): <T = any>(name: string) => T {
  const base = typeof dir === 'string' ? dir : fileURLToPath(dir);
  return <T>(name: string) => JSON.parse(readFileSync(join(base, `${name}.json`), 'utf8')) as T;
}
