/**
 * collector/sql/cluster.mjs on the real schema files: every statement of its output is DDL
 * carrying `ON CLUSTER <name>` right after the object's name, every MergeTree-family engine is
 * its Replicated* form (other engines untouched), nothing else differs from the input, and the
 * engine's parser accepts every statement (EXPLAIN AST with the ON CLUSTER clause kept; no
 * cluster or Keeper here, so nothing is executed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Migration, readMigrations } from '../../collector/sql/migrate.js';
import { type EngineSession, openEngine } from '../support/chdb.js';

const SCRIPT = fileURLToPath(new URL('../../collector/sql/cluster.mjs', import.meta.url));
// A name that needs quoting, to check the backquote escaping too.
const CLUSTER = 'aicost`prod';
const ON_CLUSTER = ' ON CLUSTER `aicost``prod`';

const DDL_HEAD =
  /^(CREATE (?:DATABASE|TABLE|MATERIALIZED VIEW|DICTIONARY) IF NOT EXISTS|CREATE OR REPLACE (?:VIEW|FUNCTION)|DROP VIEW IF EXISTS|ALTER TABLE) ((?:"\w+"|\w+)(?:\.(?:"\w+"|\w+))?)/;

function runScript(args: string[]): Migration[] {
  const out = mkdtempSync(join(tmpdir(), 'aicost-cluster-'));
  try {
    execFileSync(process.execPath, [SCRIPT, ...args, '--out', out], { encoding: 'utf8' });
    return readMigrations(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const source = readMigrations();
const statementsOf = (migrations: Migration[]) => migrations.flatMap((m) => m.statements);
const engines = (statements: string[]) =>
  statements.flatMap((s) => [...s.matchAll(/ENGINE = (\w+)/g)].map((match) => match[1]!));

describe('cluster.mjs --cluster', () => {
  const output = runScript(['--cluster', CLUSTER]);
  const statements = statementsOf(output);

  it('writes every schema file, with as many statements', () => {
    expect(output.map((m) => m.file)).toEqual(source.map((m) => m.file));
    expect(output.map((m) => m.statements.length)).toEqual(source.map((m) => m.statements.length));
    expect(statements.length).toBeGreaterThan(40);
  });

  it('puts ON CLUSTER on every statement (all are DDL), once, right after the object name', () => {
    for (const statement of statements) {
      const head = DDL_HEAD.exec(statement);
      expect(head, statement.slice(0, 120)).not.toBeNull();
      expect(statement.slice(head![0].length).startsWith(ON_CLUSTER), statement.slice(0, 120)).toBe(true);
      expect(statement.split('ON CLUSTER').length - 1, statement.slice(0, 120)).toBe(1);
    }
  });

  it('makes every MergeTree-family engine Replicated and leaves the others', () => {
    const before = engines(statementsOf(source));
    const after = engines(statements);
    expect(before.filter((e) => e.endsWith('MergeTree')).length).toBeGreaterThanOrEqual(14);
    expect(after).toEqual(before.map((e) => (e.endsWith('MergeTree') ? `Replicated${e}` : e)));
    // ReplacingMergeTree keeps its version column.
    expect(statements.join('\n')).toContain('ENGINE = ReplicatedReplacingMergeTree(loaded_at)');
  });

  it('changes nothing else (a bare engine name gets the empty argument list)', () => {
    const undo = (statement: string) =>
      statement.replaceAll(ON_CLUSTER, '').replace(/ENGINE = Replicated(\w*MergeTree)/g, 'ENGINE = $1');
    // Whitespace aside (the clause is inserted between the name and what follows it), and
    // `MergeTree` = `MergeTree()`.
    const normalize = (statement: string) =>
      statement.replace(/ENGINE = (\w*MergeTree)(?!\()/g, 'ENGINE = $1()').replace(/\s+/g, '');
    expect(statements.map((s) => normalize(undo(s)))).toEqual(statementsOf(source).map(normalize));
  });
});

describe('cluster.mjs --no-on-cluster (Replicated database)', () => {
  it('makes the engines Replicated without ON CLUSTER', () => {
    const statements = statementsOf(runScript(['--no-on-cluster']));
    expect(statements.join('\n')).not.toContain('ON CLUSTER');
    expect(engines(statements).filter((e) => /^MergeTree|^(Summing|Replacing)MergeTree/.test(e))).toEqual([]);
  });
});

describe('the cluster schema on the engine parser', () => {
  let engine: EngineSession;
  beforeAll(() => {
    engine = openEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('parses every statement with its ON CLUSTER clause (EXPLAIN AST)', () => {
    const statements = statementsOf(runScript(['--cluster', CLUSTER]));
    for (const statement of statements) {
      const ast = engine.query<{ explain: string }>(`EXPLAIN AST ${statement}`);
      expect(ast.length, statement.slice(0, 120)).toBeGreaterThan(0);
    }
  });

  it('rejects a statement the parser cannot read (control)', () => {
    expect(() => engine.query('EXPLAIN AST CREATE TABLE t ON CLUSTER ENGINE = Replicated')).toThrow();
  });
});

it('refuses to run without --cluster or --no-on-cluster', () => {
  expect(() => execFileSync(process.execPath, [SCRIPT, '--out', tmpdir()], { stdio: 'pipe' })).toThrow();
});
