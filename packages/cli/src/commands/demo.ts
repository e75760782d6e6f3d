/**
 * `aicost demo`: reserved. It will start a local collector, run a small app
 * against a loopback mock provider and print a report. Not built yet.
 */
import type { ParsedArgs } from '../args.js';

export const demoOptions = {} as const;

export async function demo(_args: ParsedArgs): Promise<number> {
  process.stderr.write('aicost demo is not available yet\n');
  return 2;
}
