/**
 * What every published package's tarball carries, read from npm's own file list
 * (`npm pack --dry-run --json`, the list `npm publish` would upload): the licence
 * file, the README, the built entry points and no source maps; metadata that
 * lets a user find the project (repository, homepage, bugs, keywords, licence);
 * `@opentelemetry/api` only ever as a peer dependency, so an application keeps
 * one copy. The workspace's other packages (examples, tests) are private, so
 * `pnpm -r publish` and the root's `pack:packages` leave them out.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  repository?: { url?: string; directory?: string };
  bugs?: { url?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const published = readdirSync(join(root, 'packages')).map((dir) => `packages/${dir}`);

describe.each(published)('%s as published', (dir) => {
  const pkg = manifest(dir);

  it('names its repository, homepage, issue tracker, keywords and licence', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.keywords?.length).toBeGreaterThan(0);
    expect(pkg.homepage).toMatch(new RegExp(`/${dir}#readme$`));
    expect(pkg.repository).toMatchObject({ url: expect.stringMatching(/^git\+https:/), directory: dir });
    expect(pkg.bugs?.url).toMatch(/\/issues$/);
  });

  it('takes @opentelemetry/api as a peer dependency only', () => {
    expect(pkg.dependencies?.['@opentelemetry/api']).toBeUndefined();
  });

  it('packs the licence, the README and its entry points, without source maps', async () => {
    ensureBuilt(dir.replace('packages/', ''));
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(root, dir),
      maxBuffer: 16 * 1024 * 1024,
    });
    const [{ files }] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']));
    expect(paths.filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(paths.filter((path) => /^(src|test)\//.test(path))).toEqual([]);
  }, 120_000);
});

it('the workspace packages outside packages/ (examples, tests) are private', () => {
  const others = [
    'test',
    ...readdirSync(join(root, 'examples'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `examples/${entry.name}`),
  ];
  expect(others.length).toBeGreaterThan(1);
  for (const dir of others) expect(manifest(dir).private, dir).toBe(true);
});
