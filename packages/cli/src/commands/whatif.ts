/**
 * `aicost whatif --feature X --model Y [--provider P] [--no-cache]`: the feature's recorded
 * token ledger re-priced on another catalogue model (otel.aicost_whatif, 075_whatif.sql).
 * An estimate, printed as one.
 */
import { flag, list, type ParsedArgs, str, UsageError } from '../args.js';
import { candidateLookupSql, whatifSql } from '../economics/queries.js';
import { query, render } from '../economics/run.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { parseDuration, parseInstant } from './report.js';

export const whatifOptions = {
  ...connectionOptions,
  feature: { type: 'string', multiple: true },
  model: { type: 'string' },
  provider: { type: 'string' },
  'no-cache': { type: 'boolean' },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string', short: 'f' },
} as const;

export async function whatif(args: ParsedArgs): Promise<number> {
  const model = str(args, 'model');
  if (!model)
    throw new UsageError('usage: aicost whatif --model MODEL [--provider P] [--feature F]... [--no-cache]');
  const format = str(args, 'format') ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv');
  const toNs = str(args, 'to') ? parseInstant(str(args, 'to')!, 'to') : BigInt(Date.now()) * 1_000_000n;
  const from = str(args, 'from');
  const fromNs = from
    ? parseInstant(from, 'from')
    : toNs - BigInt(parseDuration(str(args, 'since') ?? '30d')) * 1_000_000n;
  const keepCache = !flag(args, 'no-cache');
  const backend = await openBackend(args);
  try {
    const lookup = candidateLookupSql(model, str(args, 'provider'));
    const candidates = (await query(backend, lookup.sql, lookup.params)).rows;
    if (candidates.length === 0)
      throw new UsageError(
        `no price valid now for model ${JSON.stringify(model)}: load prices (aicost prices load) or check the name`,
      );
    if (candidates.length > 1)
      throw new UsageError(
        `model ${model} is priced by several providers (${candidates.map((c) => c[0]).join(', ')}): add --provider`,
      );
    const [providerId, modelId] = candidates[0] as [string, string];
    const { sql, params } = whatifSql({
      fromNs,
      toNs,
      features: list(args, 'feature'),
      candidateProviderId: providerId,
      candidateModelId: modelId,
      keepCache,
    });
    const rs = await query(backend, sql, params);
    if (format === 'table') {
      process.stdout.write(
        `ESTIMATE, not a measured cost: the recorded tokens re-priced on ${providerId}/${modelId} at today's price.\n` +
          `Assumes the same token counts; cache ${keepCache ? 'kept (cache reads and writes at the candidate cache prices)' : 'dropped (every input token at the input price)'}.\n` +
          `Window ${new Date(Number(fromNs / 1_000_000n)).toISOString()} .. ${new Date(Number(toNs / 1_000_000n)).toISOString()}; priced requests only.\n\n`,
      );
    }
    process.stdout.write(render(rs, format));
    return 0;
  } finally {
    await backend.close();
  }
}
