/**
 * `aicost prices load`: writes the price catalogue (genai-prices, plus the
 * user's overrides file) and the routing rule (host vs model, service tiers,
 * the `AICOST_HOSTS` mappings) into the schema's price and routing tables, so spans that arrive
 * without a cost (other languages, other instrumentations) are priced in SQL
 * and `aicost_requests_repriced` can re-price history.
 */
import { exportPriceAliases, exportPriceRows, exportRoutingData } from '@aicost/core';
import { loadPrices, loadRouting } from '@aicost/schema';
import { flag, type ParsedArgs, str, UsageError } from '../args.js';
import { connectionOptions, openBackend } from '../store/backend.js';
import { schemaDatabase } from '../store/schema.js';

export const pricesOptions = {
  ...connectionOptions,
  'prices-file': { type: 'string' },
  'keep-existing': { type: 'boolean' },
} as const;

/** Loads the catalogue through `execute` (one statement per call); returns the counts. */
export async function loadCatalogue(
  execute: (statement: string) => Promise<unknown>,
  opts: { pricesFile?: string; replace?: boolean; database?: string } = {},
): Promise<{ rows: number; aliases: number }> {
  const pricing = opts.pricesFile ? { pricesFile: opts.pricesFile } : {};
  const rows = exportPriceRows(pricing);
  const aliases = exportPriceAliases(pricing);
  await loadPrices(execute, rows, aliases, { replace: opts.replace ?? true, database: opts.database });
  // Who prices a call (host vs model) and the service-tier rules: the SQL pricing applies them
  // to spans that arrive without a cost, as the SDK does (AICOST_HOSTS mappings included).
  await loadRouting(execute, exportRoutingData(), { database: opts.database });
  return { rows: rows.length, aliases: aliases.length };
}

export async function prices(args: ParsedArgs): Promise<number> {
  const [action] = args.positionals;
  if (action !== 'load')
    throw new UsageError('usage: aicost prices load [--prices-file overrides.yaml] [--keep-existing]');
  const database = schemaDatabase(args);
  const backend = await openBackend(args, { create: true });
  try {
    const { rows, aliases } = await loadCatalogue((statement) => backend.run(statement), {
      pricesFile: str(args, 'prices-file'),
      replace: !flag(args, 'keep-existing'),
      database,
    });
    process.stdout.write(
      `loaded ${rows} price rows and ${aliases} model aliases into ${backend.description}\n`,
    );
    return 0;
  } finally {
    await backend.close();
  }
}
