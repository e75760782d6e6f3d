/**
 * The demo's unit economics: a revenue table for the sample customers (what each pays
 * this month, by plan), loaded exactly as `aicost revenue load` loads a file, then one
 * table per customer: revenue, AI cost, gross AI margin, tickets resolved and what
 * resolving one cost (the model calls of its trace).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { insertDataRows, readDataFile } from '../economics/load.js';
import { query, render } from '../economics/run.js';
import { REVENUE } from '../economics/tables.js';
import { readCredential } from '../server/access.js';
import { remoteBackend } from '../store/backend.js';
import { DATABASE } from '../store/schema.js';

/** Monthly price of each sample customer's plan (examples/support-app/src/customers.ts). */
const REVENUE_BY_CUSTOMER: [customer: string, segment: string, plan: string, amount: string][] = [
  ['acme-corp', 'enterprise', 'enterprise', '4.00'],
  ['globex', 'growth', 'growth', '0.90'],
  ['initech', 'free', 'free', '0'],
  ['umbrella', 'growth', 'growth', '0.90'],
];

export function demoRevenueCsv(now = new Date()): string {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return [
    'customer,segment,plan,period_start,period_end,amount,currency',
    ...REVENUE_BY_CUSTOMER.map(
      ([customer, segment, plan, amount]) =>
        `${customer},${segment},${plan},${day(start)},${day(end)},${amount},USD`,
    ),
  ].join('\n');
}

export const DEMO_ECONOMICS_SQL = `SELECT
    m.customer AS customer,
    m.segment AS segment,
    toString(m.revenue) AS revenue_usd,
    toString(m.ai_cost_usd) AS ai_cost_usd,
    toString(m.margin_usd) AS margin_usd,
    if(m.margin_ratio IS NULL, 'n/a', concat(toString(round(m.margin_ratio * 100, 1)), '%')) AS margin,
    o.tickets AS tickets_resolved,
    -- A customer without tickets has no cost per ticket (the join's default row has customer '').
    toString(if(o.customer = '', NULL, o.cost_per_ticket)) AS cost_per_ticket_usd
FROM ${DATABASE}.aicost_customer_margin AS m
LEFT JOIN
(
    SELECT c.customer AS customer, sum(c.outcomes) AS tickets,
           CAST(round(CAST(sum(c.cost_usd) AS Decimal(38, 18)) / sum(c.outcomes), 9) AS Decimal(38, 9)) AS cost_per_ticket
    FROM ${DATABASE}.aicost_cost_per_outcome AS c
    WHERE c.outcome = 'ticket_resolved'
    GROUP BY customer
) AS o ON o.customer = m.customer
ORDER BY m.customer`;
// No SETTINGS clause: a read-only aicost up refuses one in the query (its settings come from the client).

/**
 * Writes the demo revenue to `dataDir`/revenue.csv, loads it through the demo's (writable)
 * collector at `clickhouseUrl` and prints the economics table.
 */
export async function demoEconomics(dataDir: string, clickhouseUrl: string): Promise<void> {
  const file = join(dataDir, 'revenue.csv');
  writeFileSync(file, `${demoRevenueCsv()}\n`);
  // The collector's credential is in the data directory it owns.
  const credential = readCredential(dataDir);
  const backend = remoteBackend(clickhouseUrl, credential?.user, credential?.password);
  try {
    await insertDataRows(backend, REVENUE, file, readDataFile(REVENUE, file));
    process.stdout.write(
      'Unit economics this month (revenue.csv loaded as `aicost revenue load` does; cost per ticket = the model calls of its trace)\n',
    );
    process.stdout.write(render(await query(backend, DEMO_ECONOMICS_SQL), 'table'));
    process.stdout.write('\n');
  } finally {
    await backend.close();
  }
}
