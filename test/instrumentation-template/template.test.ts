/**
 * Every instrumentation package follows one template (CONTRIBUTING.md, "Adding a
 * provider"): the same files, a generated version file, the same package.json
 * fields and README sections, and the call glue taken from @aicost/core rather
 * than written again. A package that drifts fails here, naming what drifted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = join(ROOT, 'packages');
const packages = readdirSync(PACKAGES)
  .filter((name) => name.startsWith('instrumentation-'))
  .sort();

const read = (pkg: string, file: string) => readFileSync(join(PACKAGES, pkg, file), 'utf8');
const sources = (pkg: string) =>
  readdirSync(join(PACKAGES, pkg, 'src'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: read(pkg, `src/${file}`) }));

/** The files every package has; a package may add its own beside them (bedrock's per-API readers). */
const TEMPLATE_FILES = ['index.ts', 'instrumentation.ts', 'utils.ts', 'semconv.ts', 'types.ts', 'version.ts'];
const README_SECTIONS = [
  '## Usage',
  '## API',
  '## What a span carries',
  '## Behaviour kept unchanged',
  '## Tests',
];

interface VersionScript {
  staleVersionFiles(): string[];
  versionFile(dir: string): string;
}
const versionScript = () =>
  import(pathToFileURL(join(ROOT, 'scripts/version.mjs')).href) as Promise<VersionScript>;

it('there are instrumentation packages to check', () => {
  expect(packages.length).toBeGreaterThanOrEqual(6);
});

describe.each(packages)('%s', (pkg) => {
  it('has the template files', () => {
    const missing = TEMPLATE_FILES.filter((file) => !existsSync(join(PACKAGES, pkg, 'src', file)));
    expect(missing, `missing in packages/${pkg}/src`).toEqual([]);
  });

  it('has the generated version file, current with package.json (node scripts/version.mjs)', async () => {
    const { versionFile } = await versionScript();
    expect(read(pkg, 'src/version.ts')).toBe(versionFile(join(PACKAGES, pkg)));
    const versions = sources(pkg).filter(({ text }) => /PACKAGE_VERSION\s*=/.test(text));
    expect(versions.map(({ file }) => file)).toEqual(['version.ts']);
  });

  it('has the package.json fields every package has', () => {
    const json = JSON.parse(read(pkg, 'package.json'));
    expect(json.name).toBe(`@aicost/${pkg}`);
    expect(json).toMatchObject({
      license: 'Apache-2.0',
      type: 'module',
      main: './dist/index.cjs',
      module: './dist/index.js',
      types: './dist/index.d.ts',
      homepage: `https://github.com/aicost/aicost/tree/main/packages/${pkg}#readme`,
      repository: { type: 'git', directory: `packages/${pkg}` },
      files: expect.arrayContaining(['dist', 'README.md', 'LICENSE']),
      scripts: expect.objectContaining({ build: 'tsup', typecheck: 'tsc --noEmit -p tsconfig.json' }),
      dependencies: expect.objectContaining({ '@aicost/core': 'workspace:*' }),
      peerDependencies: expect.objectContaining({ '@opentelemetry/api': expect.any(String) }),
    });
    expect(typeof json.version).toBe('string');
    expect(json.description).toMatch(/\S/);
    expect(json.keywords).toEqual(expect.arrayContaining(['opentelemetry', 'genai', 'cost']));
    expect(json.engines?.node).toMatch(/^>=/);
    expect(Object.keys(json.exports ?? {})).toEqual(expect.arrayContaining(['.', './package.json']));
    expect(existsSync(join(PACKAGES, pkg, 'LICENSE'))).toBe(true);
  });

  it('has the README sections every package has', () => {
    const readme = read(pkg, 'README.md');
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    const missing = README_SECTIONS.filter((section) => !headings.includes(section));
    expect(missing, `README.md of ${pkg}`).toEqual([]);
  });

  it('hooks the SDK through sdkModuleDefinition and wraps through wrapOnce', () => {
    const code = sources(pkg)
      .map(({ text }) => text)
      .join('\n');
    expect(read(pkg, 'src/instrumentation.ts')).toMatch(/this\.sdkModuleDefinition\(/);
    expect(code).not.toMatch(/new InstrumentationNodeModuleDefinition\(/);
    expect(code).not.toMatch(/this\._wrap\(/);
  });

  it('takes the call glue, config and logging from @aicost/core instead of writing them again', () => {
    for (const { file, text } of sources(pkg)) {
      // Unhandled-rejection parity is core's RejectionParity / observeSettlement.
      expect(text, `${pkg}/src/${file}`).not.toMatch(/Promise\.reject\(/);
      // The shared config (captureMessageContent) is declared once, in core.
      expect(text, `${pkg}/src/${file}`).not.toMatch(/captureMessageContent\?:/);
      // One warnOnce/logOnce, core's.
      expect(text, `${pkg}/src/${file}`).not.toMatch(
        /function (warnOnce|logOnce|settleOnTheSide|runInCall)\b/,
      );
      // The stream lifecycle (end / partial / fail) is observeCompletionStream's.
      expect(text, `${pkg}/src/${file}`).not.toMatch(/onAbandon\s*\(/);
    }
    expect(read(pkg, 'src/index.ts')).toMatch(/instrumentModule\(/);
  });

  it('has no import cycle between its source files', () => {
    const imports = new Map(
      sources(pkg).map(({ file, text }) => [
        file,
        [...text.matchAll(/^import (?!type )[^;]*? from '\.\/([\w-]+)\.js';/gm)].map((m) => `${m[1]}.ts`),
      ]),
    );
    const cycle = (start: string): string[] | undefined => {
      const walk = (file: string, path: string[]): string[] | undefined => {
        for (const next of imports.get(file) ?? []) {
          if (next === start) return [...path, next];
          if (!path.includes(next)) {
            const found = walk(next, [...path, next]);
            if (found) return found;
          }
        }
        return undefined;
      };
      return walk(start, [start]);
    };
    const cycles = [...imports.keys()].map(cycle).filter(Boolean);
    expect(cycles).toEqual([]);
  });
});

it('the version script finds no stale version file', async () => {
  const { staleVersionFiles } = await versionScript();
  expect(staleVersionFiles()).toEqual([]);
});
