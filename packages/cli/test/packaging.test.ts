/**
 * An installed CLI carries the schema: the build copies the repository's
 * collector/sql (the one source) into dist/sql, and the lookup finds it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findSqlDir, readSchema } from '../src/store/schema.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const repoSql = join(pkg, '..', '..', 'collector', 'sql');
const distSql = join(pkg, 'dist', 'sql');

describe('schema files', () => {
  it('are found in the repository when running from a checkout', () => {
    expect(findSqlDir()).toBe(repoSql);
    const files = readSchema();
    expect(files.map((f) => f.name)).toEqual(
      readdirSync(repoSql)
        .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
        .sort(),
    );
    expect(files.every((f) => f.statements.length > 0)).toBe(true);
  });

  it('honour AICOST_SQL_DIR', () => {
    process.env.AICOST_SQL_DIR = distSql;
    try {
      expect(findSqlDir()).toBe(distSql);
    } finally {
      delete process.env.AICOST_SQL_DIR;
    }
  });

  it.skipIf(!existsSync(distSql))('are shipped unchanged in dist/sql by the build', () => {
    for (const file of readdirSync(repoSql).filter((f) => f.endsWith('.sql'))) {
      expect(readFileSync(join(distSql, file), 'utf8'), file).toBe(readFileSync(join(repoSql, file), 'utf8'));
    }
  });
});
