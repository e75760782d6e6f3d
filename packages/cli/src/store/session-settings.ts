/**
 * Session settings that differ from the engine's defaults: UTC for days and
 * hours in reports, and 64-bit integers quoted in JSON as a ClickHouse server
 * does by default (clients such as @clickhouse/client expect it). Kept apart
 * from store/engine.ts so the HTTP front can name them without the addon.
 */
export const SESSION_SETTINGS: Record<string, string> = {
  session_timezone: "'UTC'",
  output_format_json_quote_64bit_integers: '1',
};
