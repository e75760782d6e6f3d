/**
 * How engine errors read, apart from the engine itself: the CLI words a
 * failure from a ClickHouse server and from the embedded engine alike, and
 * must do so without loading the native addon (see store/backend.ts).
 */

/** `Code: N. DB::Exception: ... (NAME)` without chDB's prefixes, as ClickHouse servers word it. */
export function engineErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Query failed: /, '').trim();
}

export function engineErrorCode(err: unknown): number | undefined {
  const code = (err as { clickhouseCode?: unknown }).clickhouseCode;
  if (typeof code === 'number') return code;
  const m = /Code: (\d+)\./.exec(engineErrorMessage(err));
  return m ? Number(m[1]) : undefined;
}
