/**
 * The CLI's view of the schema: @aicost/schema owns the SQL files, their rendering and the
 * migrations; this module only decides which database and layout a command targets.
 */
import { checkIdentifier, DEFAULT_DATABASE, type Layout, SINGLE } from '@aicost/schema';
import { flag, type ParsedArgs, str, UsageError } from '../args.js';

/** The database of the local store (`aicost up`): one store, one database. */
export const DATABASE = DEFAULT_DATABASE;

/** Options that choose the schema's database and layout. */
export const schemaOptions = {
  database: { type: 'string' },
  cluster: { type: 'string' },
  cloud: { type: 'boolean' },
} as const;

/**
 * `--database`, else `AICOST_DATABASE`, else `CLICKHOUSE_DATABASE` (the collector config's
 * variable, so one setting serves both), else `otel`.
 */
export function schemaDatabase(args: ParsedArgs): string {
  const name =
    str(args, 'database') ??
    process.env.AICOST_DATABASE ??
    process.env.CLICKHOUSE_DATABASE ??
    DEFAULT_DATABASE;
  try {
    return checkIdentifier('database', name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--cluster NAME` (self-managed cluster), `--cloud` (ClickHouse Cloud), else one server. */
export function schemaLayout(args: ParsedArgs): Layout {
  const cluster = str(args, 'cluster') ?? process.env.AICOST_CLUSTER;
  const cloud = flag(args, 'cloud');
  if (cluster && cloud) throw new UsageError('--cluster and --cloud exclude each other');
  if (cloud) return { kind: 'cloud' };
  if (!cluster) return SINGLE;
  try {
    return { kind: 'cluster', cluster: checkIdentifier('cluster', cluster) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
