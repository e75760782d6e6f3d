/**
 * `aicost economics`: unit economics in one screen: margin by customer and segment, cost per
 * outcome by feature, cost per request by release, the largest what-if savings (estimates),
 * capacity utilisation and idle cost. Each section is one view of packages/schema/sql 070-076.
 */
import { type ParsedArgs, str, UsageError } from '../args.js';
import { economicsSections } from '../economics/queries.js';
import { query, render } from '../economics/run.js';
import { toJsonRows } from '../output.js';
import { connectionOptions, openBackend } from '../store/backend.js';

export const economicsOptions = { ...connectionOptions, format: { type: 'string', short: 'f' } } as const;

export async function economics(args: ParsedArgs): Promise<number> {
  const format = str(args, 'format') ?? 'table';
  if (!['table', 'json'].includes(format)) throw new UsageError('--format must be table or json');
  const backend = await openBackend(args);
  try {
    const sections = [];
    for (const section of economicsSections())
      sections.push({ title: section.title, rs: await query(backend, section.sql) });
    if (format === 'json') {
      process.stdout.write(
        `${JSON.stringify(
          sections.map((s) => ({ title: s.title, rows: toJsonRows(s.rs) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    for (const section of sections)
      process.stdout.write(`${section.title}\n\n${render(section.rs, 'table')}\n`);
    return 0;
  } finally {
    await backend.close();
  }
}
