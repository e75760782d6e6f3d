#!/usr/bin/env node
/**
 * What `--import @aicost/node/register` costs an application at start-up, and
 * what `npm install @aicost/node` weighs, measured as a user gets them: the
 * packages packed into tarballs and installed with npm into scratch apps
 * outside this repository (see support/scratch-app.mjs). One run, three
 * variants, interleaved (bare, aicost, official, bare, aicost, ...):
 *
 *   bare      node empty.mjs
 *   aicost    node --import @aicost/node/register empty.mjs
 *   official  node --import @opentelemetry/auto-instrumentations-node/register empty.mjs
 *
 * Each run is a whole process timed from outside (`/usr/bin/time`: peak RSS,
 * CPU; wall clock around the spawn). Both SDKs export to a loopback sink that
 * answers 200, so neither waits on a missing collector at exit. Printed: the
 * median of each figure, what each variant adds to bare, and the ratios
 * measured pair by pair within the same round.
 *
 *   node_modules/.bin/node bench/startup.mjs [--runs 10] [--keep]
 * Run from the repository root after `pnpm run build`. A benchmark, not a test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installScratchApp, installSize, packPackages } from './support/scratch-app.mjs';

/** The official one-liner, pinned. */
const OFFICIAL = '@opentelemetry/auto-instrumentations-node@0.82.0';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);

const scratch = mkdtempSync(join(tmpdir(), 'aicost-startup-'));
const sdkPackages = readdirSync(new URL('../packages', import.meta.url)).filter((dir) => dir !== 'cli');
console.log(`scratch: ${scratch}\npacking ${sdkPackages.join(', ')}`);
const tarballs = await packPackages(sdkPackages, join(scratch, 'tarballs'));
const empty = { 'empty.mjs': '' };

const aicostApp = join(scratch, 'aicost-app');
const officialApp = join(scratch, 'official-app');
console.log('npm install @aicost/node (tarball) ...');
await installScratchApp(aicostApp, { dependencies: [tarballs.get('@aicost/node')], tarballs, files: empty });
console.log(`npm install ${OFFICIAL} ...`);
await installScratchApp(officialApp, { dependencies: [OFFICIAL], files: empty });
const aicostSize = await installSize(aicostApp);
const officialSize = await installSize(officialApp);

const sink = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const env = {
  ...process.env,
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}`,
  OTEL_SERVICE_NAME: 'startup-bench',
};

const variants = [
  { name: 'bare', cwd: aicostApp, args: ['empty.mjs'] },
  { name: 'aicost', cwd: aicostApp, args: ['--import', '@aicost/node/register', 'empty.mjs'] },
  {
    name: 'official',
    cwd: officialApp,
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register', 'empty.mjs'],
  },
];

function timeOnce({ cwd, args }) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %M %U %S', process.execPath, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /TIME (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      if (code !== 0 || !match) {
        reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
        return;
      }
      resolve({
        wallMs,
        rssMB: Number(match[1]) / 1024,
        cpuMs: (Number(match[2]) + Number(match[3])) * 1000,
      });
    });
  });
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const samples = Object.fromEntries(variants.map(({ name }) => [name, []]));
for (const variant of variants) await timeOnce(variant); // warm-up: file cache, compile cache
for (let round = 0; round < runs; round++) {
  for (const variant of variants) samples[variant.name].push(await timeOnce(variant));
}
sink.close();

const figure = (name, key) => median(samples[name].map((sample) => sample[key]));
const pairRatio = (a, b, key) => median(samples[a].map((sample, i) => sample[key] / samples[b][i][key]));
const pad = (text, width) => String(text).padStart(width);

console.log(`\nnode ${process.version}, ${runs} rounds (medians)\n`);
console.log(
  `${'variant'.padEnd(10)}${pad('wall ms', 10)}${pad('cpu ms', 10)}${pad('peak RSS MB', 13)}${pad('+wall ms', 10)}${pad('+RSS MB', 9)}`,
);
for (const { name } of variants) {
  const wall = figure(name, 'wallMs');
  const rss = figure(name, 'rssMB');
  console.log(
    `${name.padEnd(10)}${pad(wall.toFixed(0), 10)}${pad(figure(name, 'cpuMs').toFixed(0), 10)}${pad(rss.toFixed(1), 13)}` +
      `${pad((wall - figure('bare', 'wallMs')).toFixed(0), 10)}${pad((rss - figure('bare', 'rssMB')).toFixed(1), 9)}`,
  );
}
console.log('\nratios, pair by pair within a round (median):');
for (const [a, b] of [
  ['aicost', 'bare'],
  ['official', 'bare'],
  ['aicost', 'official'],
]) {
  console.log(
    `  ${`${a} / ${b}`.padEnd(20)} wall ${pairRatio(a, b, 'wallMs').toFixed(2)}  cpu ${pairRatio(a, b, 'cpuMs').toFixed(2)}  RSS ${pairRatio(a, b, 'rssMB').toFixed(2)}`,
  );
}
console.log('\ninstall size (du -sk node_modules, packages):');
console.log(
  `  npm install @aicost/node       ${(aicostSize.kib / 1024).toFixed(1)} MB, ${aicostSize.packages} packages`,
);
console.log(
  `  npm install ${OFFICIAL}  ${(officialSize.kib / 1024).toFixed(1)} MB, ${officialSize.packages} packages`,
);

if (values.keep) console.log(`\nkept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
