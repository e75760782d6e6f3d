import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The schema's one source is the repository's collector/sql/; an installed CLI
// carries a copy in dist/sql/ (see src/store/schema.ts for the lookup order).
function copySchema() {
  mkdirSync('dist/sql', { recursive: true });
  for (const file of readdirSync('../../collector/sql')) {
    if (file.endsWith('.sql')) cpSync(`../../collector/sql/${file}`, `dist/sql/${file}`);
  }
}

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  target: 'node22',
  onSuccess: async () => copySchema(),
});
