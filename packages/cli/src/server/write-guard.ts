/**
 * What a write on the SQL port (`aicost up --writable`) may contain, judged
 * like reads on the engine's own parse (`EXPLAIN AST` of the canonical text,
 * exactly one statement), never on the raw text.
 *
 * Grants already refuse the table functions and engines that reach outside
 * (no SOURCES, see store/engine-config.ts). Writes run on the shared session,
 * without `readonly`, so this guard covers what grants do not:
 * - statement kinds: INSERT, CREATE (tables, views, SQL functions), ALTER,
 *   DROP/TRUNCATE, RENAME/EXCHANGE, OPTIMIZE, DELETE/UPDATE (what `aicost migrate
 *   --clickhouse-url` and the exporter send). Not SYSTEM, ATTACH/DETACH
 *   (ATTACH names paths), UNDROP, nor CREATE DICTIONARY (a source can name a
 *   file, a URL or a program; the schema's dictionaries come from `aicost migrate`);
 * - table functions (`FROM f()`, `INSERT INTO FUNCTION f()`, `CREATE TABLE t AS f()`):
 *   {@link LOCAL_TABLE_FUNCTIONS} only, and the store's own views called with parameters
 *   (a parameterised view's call parses as a table function);
 * - table engines: {@link LOCAL_ENGINES} only;
 * - never a function that reads files or describes the host ({@link OUTSIDE_FUNCTIONS},
 *   the scalar `file()` above all, which grants do not cover). Other unknown
 *   names are allowed here: in DDL they are codecs, index types and TTL clauses.
 */
import { type AstNode, OUTSIDE_FUNCTIONS, parseAst, ReadRefusedError } from './read-guard.js';
import { LOCAL_TABLE_FUNCTIONS } from './sql-text.js';

const WRITE_ROOTS =
  /^(InsertQuery|CreateQuery|AlterQuery|DropQuery|TruncateQuery|RenameQuery|OptimizeQuery|DeleteQuery|UpdateQuery|CreateSQLFunctionQuery|DropFunctionQuery)$/;

/** Keywords whose statements parse as one of {@link WRITE_ROOTS} but reach outside the store. */
const REFUSED_KEYWORDS = /^\s*(ATTACH|DETACH|UNDROP)\b/i;

/** Engines that keep their data in the store (or nowhere). */
const LOCAL_ENGINES = /^(\w*MergeTree|Memory|Null|Log|TinyLog|StripeLog|Set|Join|Buffer|Merge)$/i;

/** A write the SQL port refuses (answered 403 with the reason). */
export class WriteRefusedError extends ReadRefusedError {
  override name = 'WriteRefusedError';
}

/** Parents under which a Function node is a table function. */
const TABLE_FUNCTION_PARENTS = new Set(['TableExpression', 'InsertQuery', 'CreateQuery']);

/**
 * Throws {@link WriteRefusedError} unless the parsed statement only writes
 * inside the store. `ast` is `EXPLAIN AST` output of `canonical`.
 */
export function writeGuard(ast: string, canonical: string, views: ReadonlySet<string> = new Set()): void {
  const nodes = parseAst(ast);
  const root = nodes[0];
  if (root?.depth !== 0 || !WRITE_ROOTS.test(root.kind)) {
    throw new WriteRefusedError(`${root?.kind ?? 'this'} statements are not accepted on the SQL port`);
  }
  const keyword = REFUSED_KEYWORDS.exec(canonical);
  if (keyword) throw new WriteRefusedError(`${keyword[1]!.toUpperCase()} is not accepted on the SQL port`);
  const parents: AstNode[] = [];
  // A storage definition's first child is its engine; PARTITION BY, ORDER BY... follow it.
  const storagesWithEngine = new Set<AstNode>();
  for (const node of nodes) {
    parents.length = node.depth;
    const parent = parents[node.depth - 1];
    parents[node.depth] = node;
    const isEngine = parent?.kind === 'Storage' && !storagesWithEngine.has(parent);
    if (isEngine) storagesWithEngine.add(parent);
    if (node.kind === 'Dictionary') {
      throw new WriteRefusedError('dictionaries are created by `aicost migrate`, not on the SQL port');
    }
    if (node.kind !== 'Function') continue;
    const name = node.name.toLowerCase();
    if (parent && TABLE_FUNCTION_PARENTS.has(parent.kind)) {
      if (!LOCAL_TABLE_FUNCTIONS.has(name) && !views.has(name)) {
        throw new WriteRefusedError(`${node.name}() reaches outside the store (table function)`);
      }
    } else if (isEngine) {
      if (!LOCAL_ENGINES.test(node.name)) {
        throw new WriteRefusedError(`the ${node.name} engine keeps its data outside the store`);
      }
    } else if (OUTSIDE_FUNCTIONS.has(name)) {
      throw new WriteRefusedError(`${node.name}() reaches outside the store`);
    }
  }
}
