/** Command dispatch for the `aicost` binary. */
import { createRequire } from 'node:module';
import { describeOptions, type OptionSpec, parseArgs, UsageError } from './args.js';
import { billing, billingOptions } from './commands/billing.js';
import { capacity, dataLoadOptions, revenue, targets } from './commands/data-load.js';
import { demo, demoOptions } from './commands/demo.js';
import { economics, economicsOptions } from './commands/economics.js';
import { migrate, migrateOptions } from './commands/migrate.js';
import { prices, pricesOptions } from './commands/prices.js';
import { reconcile, reconcileOptions } from './commands/reconcile.js';
import { report, reportOptions } from './commands/report.js';
import { sql, sqlOptions } from './commands/sql.js';
import { ui, uiOptions } from './commands/ui.js';
import { up, upOptions } from './commands/up.js';
import { whatif, whatifOptions } from './commands/whatif.js';
import { engineErrorMessage } from './store/engine-errors.js';

const USAGE = `aicost: the cost of every AI call, from OpenTelemetry spans

Usage:
  aicost up       [--port 4318] [--clickhouse-port 8123] [--ui-port 4319 | --no-ui] [--host 127.0.0.1] [--data-dir ./.aicost] [--writable]
  aicost ui       [--data-dir ./.aicost] [--open]      (the web UI's address of the running aicost up)
  aicost report   [--by feature|customer|workflow|team|model|provider|operation|service|environment|day]...
                  [--since 7d | --from DATE [--to DATE]] [--format table|json|csv] [--drift-threshold 5%]
                  [--feature F] [--customer C] [--workflow W] [--team T] [--model M] [--provider P]
                  [--operation O] [--service S] [--environment E]   (filters: repeatable, comma-separated)
  aicost sql      "<query>" [--format table|json|csv|tsv]      (or the query on stdin)
  aicost migrate  [--clickhouse-url URL --user U --password P] [--database otel] [--cluster NAME | --cloud]
                  [--status | --print] [--with-prices [--prices-file overrides.yaml]]
  aicost prices load [--prices-file overrides.yaml] [--keep-existing]
  aicost report   --feature F --price-for-margin 70% [--since 30d]   (price per request / customer-month for a margin)
  aicost report   --by release [--service S] [--since 30d]   (cost per request and per outcome by release, with the change)
  aicost whatif   --model M [--provider P] [--feature F]... [--no-cache] [--since 30d]   (re-priced on M: an estimate)
  aicost economics [--format table|json]          (margin, cost per outcome, releases, what-if, capacity)
  aicost revenue load <file.csv|.json|.jsonl>    (what customers pay: margin views)
  aicost targets load <file>                      (margin / cost-per-request targets per feature)
  aicost capacity load <file>                     (self-hosted / committed capacity pools and their $/hour)
  aicost demo     [--data-dir ./.aicost/demo] [--app FILE] [--quiet]   (sample app + mock providers + report)
  aicost billing load <files...> [--format F] [--provider P] [--mapping projects.yaml] [--usd-rate EUR=1.08]
  aicost reconcile [--since 30d | --from DATE [--to DATE]] [--provider P] [--format table|json|csv]

report, sql and migrate use --clickhouse-url (env CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)
for a ClickHouse server; otherwise the aicost up running on --data-dir, else the directory itself.
The schema's database: --database, else AICOST_DATABASE, else CLICKHOUSE_DATABASE, else otel.
\`aicost <command> --help\` lists a command's flags; the README of @aicost/cli explains each one.
\`aicost --version\` prints the version.
`;

/**
 * The usage lines of one command, from USAGE: every line of the command with the continuation lines
 * under it (report has three: grouping, pricing a feature, releases).
 */
function commandUsage(name: string): string {
  const lines = USAGE.split('\n');
  const blocks: string[] = [];
  lines.forEach((line, start) => {
    if (!line.startsWith(`  aicost ${name} `)) return;
    let end = start + 1;
    while (end < lines.length && /^ {10,}\S/.test(lines[end] ?? '')) end++;
    blocks.push(...lines.slice(start, end));
  });
  return blocks.join('\n');
}

function commandHelp(name: string, options: Record<string, OptionSpec>): string {
  return `Usage:\n${commandUsage(name)}\n\nOptions of aicost ${name}:\n${describeOptions(options).join('\n')}\n  -h, --help\n\nSee the README of @aicost/cli for what each flag does.\n`;
}

function version(): string {
  // dist/*.js sits next to package.json's directory in the installed package and in this repository.
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

type Command = (args: ReturnType<typeof parseArgs>) => Promise<number>;

const COMMANDS: Record<string, { options: Record<string, OptionSpec>; run: Command }> = {
  up: { options: upOptions, run: up },
  report: { options: reportOptions, run: report },
  sql: { options: sqlOptions, run: sql },
  migrate: { options: migrateOptions, run: migrate },
  prices: { options: pricesOptions, run: prices },
  demo: { options: demoOptions, run: demo },
  revenue: { options: dataLoadOptions, run: revenue },
  targets: { options: dataLoadOptions, run: targets },
  capacity: { options: dataLoadOptions, run: capacity },
  whatif: { options: whatifOptions, run: whatif },
  economics: { options: economicsOptions, run: economics },
  ui: { options: uiOptions, run: ui },
  billing: { options: billingOptions, run: billing },
  reconcile: { options: reconcileOptions, run: reconcile },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`aicost: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(commandHelp(name, command.options));
      return 0;
    }
    return await command.run(parseArgs(rest, command.options));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`aicost ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`aicost ${name}: ${engineErrorMessage(err)}\n`);
    return 1;
  }
}
