/**
 * `aicost billing load <files...>`: imports what the providers billed into
 * `<database>.aicost_billing` (060_billing.sql; --database, else AICOST_DATABASE, else otel), for `aicost reconcile`. Files are
 * parsed on this machine; only the parsed rows go to the store. Loading the
 * same file (or an overlapping export) again replaces its rows: totals do not
 * change.
 */
import { list, type ParsedArgs, str, UsageError } from '../args.js';
import { decimalText } from '../billing/amount.js';
import { billingTable, importIdOf, insertStatements, toTableRows } from '../billing/load.js';
import { EMPTY_MAPPING, loadProjectMapping } from '../billing/mapping.js';
import { FORMAT_PROVIDER, isSourceFormat, readBillingFile } from '../billing/read.js';
import { BillingFormatError, SOURCE_FORMATS, type SourceFormat } from '../billing/types.js';
import { requireBillingSchema } from '../reconcile/query.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { schemaDatabase } from '../store/schema.js';

export const billingOptions = {
  ...connectionOptions,
  format: { type: 'string' },
  provider: { type: 'string' },
  mapping: { type: 'string' },
  'usd-rate': { type: 'string', multiple: true },
} as const;

const USAGE =
  'usage: aicost billing load <files...> [--format F] [--provider P] [--mapping projects.yaml] [--usd-rate EUR=1.08]';

/** `EUR=1.08` (USD per EUR) pairs. */
export function parseUsdRates(values: string[]): Map<string, string> {
  const rates = new Map<string, string>();
  for (const value of values) {
    const m = /^([A-Za-z]{3})=(.+)$/.exec(value);
    const rate = m ? decimalText(m[2]) : undefined;
    if (!m || rate === undefined || !/[1-9]/.test(rate) || rate.startsWith('-')) {
      throw new UsageError(`--usd-rate ${value}: expected CUR=<USD per unit>, e.g. EUR=1.08`);
    }
    rates.set((m[1] as string).toUpperCase(), rate);
  }
  return rates;
}

export async function billing(args: ParsedArgs): Promise<number> {
  const [action, ...files] = args.positionals;
  if (action !== 'load' || files.length === 0) throw new UsageError(USAGE);
  const format = str(args, 'format');
  if (format !== undefined && !isSourceFormat(format))
    throw new UsageError(`--format ${format}: choose from ${SOURCE_FORMATS.join(', ')}`);
  const provider = str(args, 'provider');
  if (provider !== undefined && !Object.values(FORMAT_PROVIDER).includes(provider))
    throw new UsageError(
      `--provider ${provider}: choose from ${[...new Set(Object.values(FORMAT_PROVIDER))].join(', ')}`,
    );
  const mappingFile = str(args, 'mapping');
  const mapping = mappingFile ? loadProjectMapping(mappingFile) : EMPTY_MAPPING;
  const usdRates = parseUsdRates(list(args, 'usd-rate'));
  const database = schemaDatabase(args);
  const table = billingTable(database);

  // Every file is parsed before anything is written: a bad file loads nothing.
  const parsed = [];
  try {
    for (const file of files) {
      const read = await readBillingFile(file, format as SourceFormat | undefined);
      if (provider && FORMAT_PROVIDER[read.format] !== provider) {
        throw new BillingFormatError(
          file,
          1,
          '',
          `is a ${read.format} file (${FORMAT_PROVIDER[read.format]}), not ${provider}`,
        );
      }
      const importId = importIdOf(read.bytes);
      parsed.push({
        file,
        read,
        importId,
        rows: toTableRows(read.rows, { file, importId, mapping, usdRates }),
      });
    }
  } catch (err) {
    if (err instanceof BillingFormatError) {
      process.stderr.write(`aicost billing: ${err.message}\n`);
      return 1;
    }
    throw err;
  }

  const backend = await openBackend(args, { create: true });
  try {
    await requireBillingSchema(backend, table);
    let total = 0;
    for (const { file, read, importId, rows } of parsed) {
      const before = Number(
        (
          await backend.run(`SELECT count() FROM ${table} WHERE import_id = {id:String}`, 'TabSeparated', {
            id: importId,
          })
        ).trim(),
      );
      for (const statement of insertStatements(rows, database)) await backend.run(statement);
      total += rows.length;
      const unknown = rows.filter((r) => r.model === '').length;
      const nonUsage = rows.filter((r) => r.charge_type !== 'usage').length;
      const unmapped =
        mapping.size > 0 ? new Set(rows.filter((r) => r.service === '').map((r) => r.project)) : new Set();
      const notes = [
        `${unknown} without a known model`,
        `${nonUsage} credits, refunds or other charges`,
        ...(read.skipped ? [`${read.skipped} rows of other services skipped`] : []),
        ...(unmapped.size ? [`projects not in the mapping: ${[...unmapped].join(', ')}`] : []),
        ...(before > 0 ? ['already imported: its rows were replaced, totals unchanged'] : []),
      ];
      process.stdout.write(`${file}: ${read.format}, ${rows.length} rows (${notes.join('; ')})\n`);
    }
    process.stdout.write(`loaded ${total} billing rows into ${backend.description}\n`);
    return 0;
  } finally {
    await backend.close();
  }
}
