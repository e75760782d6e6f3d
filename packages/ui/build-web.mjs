// Bundles the browser side (src/web) into dist/web/: one ES module, one stylesheet, the
// HTML shell; minified, no source fetched at run time (the UI works offline). Prints the
// sizes, and writes the list of files the server serves (dist/web/manifest.json).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const out = 'dist/web';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: 'src/web/main.ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/web/index.html', `${out}/index.html`);
copyFileSync('src/web/favicon.svg', `${out}/favicon.svg`);
// The bundled library's licence travels with it.
writeFileSync(
  `${out}/licenses.txt`,
  `uPlot (bundled in app.js, app.css)\n\n${readFileSync('node_modules/uplot/LICENSE', 'utf8')}`,
);
const files = ['index.html', 'app.js', 'app.css', 'favicon.svg', 'licenses.txt'];
writeFileSync(`${out}/manifest.json`, JSON.stringify(files));
const sizes = files.map((file) => {
  const bytes = readFileSync(`${out}/${file}`);
  return { file, bytes: bytes.length, gzip: gzipSync(bytes).length };
});
writeFileSync(`${out}/sizes.json`, `${JSON.stringify(sizes, null, 2)}\n`);
for (const { file, bytes, gzip } of sizes)
  console.log(`${file.padEnd(18)} ${String(bytes).padStart(7)} B  gzip ${gzip} B`);
