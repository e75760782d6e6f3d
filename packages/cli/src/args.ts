/**
 * Command-line options, parsed by Node's own `util.parseArgs` (`--name value`,
 * `--name=value`, boolean `--flag`, short aliases, repeatable options,
 * positionals; unknown options are errors). Repeatable values may also be
 * comma-separated (`--by feature,customer`).
 */
import { parseArgs as parseNodeArgs } from 'node:util';

export interface OptionSpec {
  /** `string` takes a value; `boolean` does not. */
  type: 'string' | 'boolean';
  /** May be given several times (values collected in order; commas also split). */
  multiple?: boolean;
  short?: string;
}

export type ParsedArgs = {
  options: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
};

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    // util.parseArgs's own messages name the option (`Unknown option '--x'`, `Option '--since <value>' argument missing`).
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((error as Error).message);
    throw error;
  }
  const options: ParsedArgs['options'] = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    options[name] = Array.isArray(value)
      ? value.flatMap((item) =>
          String(item)
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        )
      : value;
  }
  return { options, positionals: parsed.positionals };
}

/** The options of a command as help lines: `--port <value>`, `-f, --format <value>`, `--writable`. */
export function describeOptions(spec: Record<string, OptionSpec>): string[] {
  return Object.entries(spec).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : '';
    const value = option.type === 'string' ? ' <value>' : '';
    return `  ${short}--${name}${value}${option.multiple ? '  (repeatable, or comma-separated)' : ''}`;
  });
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function list(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  return Array.isArray(v) ? v : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

export function int(args: ParsedArgs, name: string, fallback: number): number {
  const v = str(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

/** `16MiB`, `512KiB`, `1000000` to bytes. */
export function bytes(args: ParsedArgs, name: string, fallback: number): number {
  const v = str(args, name);
  if (v === undefined) return fallback;
  const m = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--${name} must be a size such as 16MiB`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    kb: 1000,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
  };
  return Number(m[1]) * mult[unit]!;
}
