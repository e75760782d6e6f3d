/**
 * An installed CLI carries the schema: it depends on @aicost/schema, whose package ships its
 * SQL files and migrations (`files`), read relative to its own code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR, readMigrations, readSchema, SQL_DIR } from '@aicost/schema';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('..', import.meta.url));
const schemaPackage = join(cli, '..', 'schema');
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

describe('the schema an installed CLI uses', () => {
  it('comes from the @aicost/schema dependency, not from a path into the repository', () => {
    expect(manifest(cli).dependencies['@aicost/schema']).toBe('workspace:*');
    for (const file of ['src/commands/migrate.ts', 'src/commands/prices.ts', 'src/store/engine.ts']) {
      expect(readFileSync(join(cli, file), 'utf8'), file).not.toMatch(/\.\.\/\.\.\/\.\.\/|collector\/sql/);
    }
  });

  it('ships inside @aicost/schema: its SQL and migrations folders are in its `files`', () => {
    expect(manifest(schemaPackage).files).toEqual(expect.arrayContaining(['dist', 'sql', 'migrations']));
    expect(SQL_DIR).toBe(join(schemaPackage, 'sql/'));
    expect(MIGRATIONS_DIR).toBe(join(schemaPackage, 'migrations/'));
    expect(readSchema().length).toBeGreaterThan(5);
    expect(readMigrations()[0]).toMatchObject({ version: 1, name: 'baseline' });
  });

  it.skipIf(!existsSync(join(schemaPackage, 'dist', 'index.js')))(
    'is found by the built package relative to its own code',
    async () => {
      const built = await import(join(schemaPackage, 'dist', 'index.js'));
      expect(built.SQL_DIR).toBe(join(schemaPackage, 'sql/'));
      expect(built.readSchema().map((f: { name: string }) => f.name)).toEqual(
        readSchema().map((f) => f.name),
      );
    },
  );
});
