/**
 * The renderer and the migration files, without an engine: parameters, the Distributed
 * companions of the cluster layout, checksums, the column migration's text.
 */
import { describe, expect, it } from 'vitest';
import {
  columnMigration,
  parseMigration,
  REQUEST_COLUMNS,
  type RequestColumn,
  renderStatements,
  renderTemplate,
} from '../src/index.js';

const cluster = { kind: 'cluster', cluster: 'prod' } as const;

describe('renderTemplate', () => {
  it('replaces every {{name}} and refuses an unknown one instead of writing an empty string', () => {
    expect(renderTemplate('a {{x}} b {{x}}', { x: '1' })).toBe('a 1 b 1');
    expect(() => renderTemplate('SELECT {{nope}}', {}, 'f.sql')).toThrow(
      'f.sql: unknown template parameter {{nope}}',
    );
  });

  it('ignores parameters named in comments (comments are dropped first)', () => {
    expect(renderStatements('-- {{nope}} is not rendered\nSELECT 1;')).toEqual(['SELECT 1']);
  });
});

describe('renderStatements in the cluster layout', () => {
  it('follows a sharded local table with its Distributed face, and a column change on it with the same on the face', () => {
    const text = [
      'CREATE TABLE IF NOT EXISTS {{database}}.aicost_requests{{local}}{{on_cluster}} (x UInt8) ENGINE = {{replicated}}MergeTree ORDER BY x;',
      "ALTER TABLE {{database}}.aicost_requests{{local}}{{on_cluster}} ADD COLUMN IF NOT EXISTS y String COMMENT 'c' AFTER x;",
      'CREATE TABLE IF NOT EXISTS {{database}}.aicost_spans{{on_cluster}} AS {{database}}.aicost_requests{{local}} ENGINE = Null;',
    ].join('\n');
    expect(renderStatements(text, { layout: cluster, database: 'db' })).toEqual([
      'CREATE TABLE IF NOT EXISTS db.aicost_requests_local ON CLUSTER prod (x UInt8) ENGINE = ReplicatedMergeTree ORDER BY x',
      "CREATE TABLE IF NOT EXISTS db.aicost_requests ON CLUSTER prod AS db.aicost_requests_local\nENGINE = Distributed('prod', 'db', 'aicost_requests_local', cityHash64(trace_id))",
      "ALTER TABLE db.aicost_requests_local ON CLUSTER prod ADD COLUMN IF NOT EXISTS y String COMMENT 'c' AFTER x",
      "ALTER TABLE db.aicost_requests ON CLUSTER prod ADD COLUMN IF NOT EXISTS y String COMMENT 'c' AFTER x",
      'CREATE TABLE IF NOT EXISTS db.aicost_spans ON CLUSTER prod AS db.aicost_requests_local ENGINE = Null',
    ]);
    // The same text on one server: no suffix, no face.
    expect(renderStatements(text, { database: 'db' })).toHaveLength(3);
  });
});

describe('migrations', () => {
  const file = { version: 2, name: 'x', file: '0002_x.sql' };

  it('checksum the statements and the refresh list, not the comments', () => {
    const a = parseMigration({
      ...file,
      text: '-- one\n-- @refresh v1\nALTER TABLE t ADD COLUMN c UInt8;\n',
    });
    const b = parseMigration({
      ...file,
      text: '-- two\n-- @refresh v1\nALTER TABLE t ADD COLUMN c UInt8;\n',
    });
    const c = parseMigration({ ...file, text: '-- @refresh v1 v2\nALTER TABLE t ADD COLUMN c UInt8;\n' });
    const d = parseMigration({ ...file, text: '-- @refresh v1\nALTER TABLE t ADD COLUMN c UInt16;\n' });
    expect(a.checksum).toBe(b.checksum);
    expect(a.refresh).toEqual(['v1']);
    expect(new Set([a.checksum, c.checksum, d.checksum]).size).toBe(3);
  });

  it('write a manifest column on the request table and its Null twins, after its predecessor, and refresh the request views', () => {
    const column: RequestColumn = {
      name: 'release',
      type: 'LowCardinality(String)',
      comment: "it's",
      span: 'x',
    };
    const columns = [...REQUEST_COLUMNS.slice(0, 7), column, ...REQUEST_COLUMNS.slice(7)];
    const text = columnMigration(['release'], columns);
    const after = REQUEST_COLUMNS[6]!.name;
    expect(text.split('\n').filter((line) => !line.startsWith('-- ') || line.startsWith('-- @'))).toEqual([
      '-- @refresh aicost_spans_mv aicost_spans_to_price_mv aicost_requests_recorded_mv aicost_requests_priced_mv',
      ...['aicost_requests{{local}}', 'aicost_spans', 'aicost_spans_to_price'].map(
        (table) =>
          `ALTER TABLE {{database}}.${table}{{on_cluster}} ADD COLUMN IF NOT EXISTS release LowCardinality(String) COMMENT 'it\\'s' AFTER ${after};`,
      ),
      '',
    ]);
    expect(() => columnMigration(['missing'], columns)).toThrow(/not in the manifest/);
  });
});
