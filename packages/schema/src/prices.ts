/**
 * Loads price rows and model aliases into `<database>.aicost_prices` / `aicost_price_aliases`
 * (see sql/010_prices.sql). The pricing rule joins these tables directly: new rows apply to the
 * next ingested span and the next query of `aicost_requests_repriced`, no reload needed.
 *
 * Engine-agnostic like the migrations: it produces statements and runs them through the
 * caller's `execute`. Prices travel as decimal strings (never floats) into Decimal(38, 12).
 */
import { checkIdentifier } from './layout.js';
import { DEFAULT_DATABASE } from './schema.js';

/** A decimal amount: a string such as `"0.075"` (exact), or a catalogue number. */
export type DecimalInput = string | number;

/** One catalogue model's prices for one period. Prices are USD per 1M tokens unless noted. */
export interface PriceRow {
  /** Catalogue provider id (`openai`, `anthropic`, `google`, ...). */
  providerId: string;
  /** Catalogue model id (`gpt-4o`, `claude-sonnet-4-0`, ...). */
  modelId: string;
  /** First instant the price applies (inclusive). */
  validFrom: Date | string;
  /** Instant the price stops applying (exclusive); absent or null: still valid. */
  validTo?: Date | string | null;
  currency?: string;
  inputMtok?: DecimalInput | null;
  cacheReadMtok?: DecimalInput | null;
  cacheWriteMtok?: DecimalInput | null;
  cacheWrite5mMtok?: DecimalInput | null;
  cacheWrite1hMtok?: DecimalInput | null;
  outputMtok?: DecimalInput | null;
  outputReasoningMtok?: DecimalInput | null;
  inputAudioMtok?: DecimalInput | null;
  outputAudioMtok?: DecimalInput | null;
  inputImageMtok?: DecimalInput | null;
  outputImageMtok?: DecimalInput | null;
  /** USD per 1000 requests. */
  requestsKcount?: DecimalInput | null;
  /** Above this many input tokens the `*Tier` prices apply to the whole request. */
  tierStartTokens?: number | null;
  inputMtokTier?: DecimalInput | null;
  cacheReadMtokTier?: DecimalInput | null;
  cacheWriteMtokTier?: DecimalInput | null;
  cacheWrite1hMtokTier?: DecimalInput | null;
  outputMtokTier?: DecimalInput | null;
  /** `genai-prices`, `override` or `self_hosted`. */
  priceSource: string;
  /** e.g. `genai-prices@0.1.8`. */
  priceVersion: string;
}

/** How a (provider, model) seen on spans finds a catalogue row. Matching is case-insensitive. */
export interface PriceAlias {
  /** `gen_ai.provider.name` value as spans carry it, or a catalogue provider id. */
  provider: string;
  /**
   * `exact`: the model string equals `pattern`; `prefix`: it starts with `pattern` (longest
   * wins); `contains`: it contains `pattern` (tried last, lowest `rank` first).
   */
  matchKind: 'exact' | 'prefix' | 'contains';
  pattern: string;
  providerId: string;
  modelId: string;
  /** Order of `contains` rules within a provider (the catalogue's order). Default 0. */
  rank?: number;
}

export interface LoadPricesOptions {
  /** The schema's database; default `otel`. */
  database?: string;
  /** Empty both tables first, so that rows gone from the catalogue disappear. Default true. */
  replace?: boolean;
}

/** Non-negative, at most 12 fractional digits: what Decimal(38, 12) holds without rounding. */
const DECIMAL = /^\d+(\.\d{1,12})?$/;

function decimal(value: DecimalInput | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'number' ? numberToDecimal(value) : value.trim();
  if (!DECIMAL.test(text))
    throw new Error(
      `${field}: not a non-negative decimal with at most 12 fractional digits: ${String(value)}`,
    );
  return text;
}

/** Plain decimal notation of a finite non-negative number (no exponent). */
function numberToDecimal(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

function instant(value: Date | string, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${field}: not a date: ${String(value)}`);
  // DateTime('UTC') has second precision; the text form is unambiguous for JSONEachRow.
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function priceRecord(row: PriceRow): Record<string, unknown> {
  const d = (value: DecimalInput | null | undefined, field: string) =>
    decimal(value, `${row.providerId}/${row.modelId} ${field}`);
  return {
    provider_id: row.providerId,
    model_id: row.modelId,
    valid_from: instant(row.validFrom, 'validFrom'),
    valid_to: row.validTo == null ? null : instant(row.validTo, 'validTo'),
    currency: row.currency ?? 'USD',
    input_mtok: d(row.inputMtok, 'inputMtok'),
    cache_read_mtok: d(row.cacheReadMtok, 'cacheReadMtok'),
    cache_write_mtok: d(row.cacheWriteMtok, 'cacheWriteMtok'),
    cache_write_5m_mtok: d(row.cacheWrite5mMtok, 'cacheWrite5mMtok'),
    cache_write_1h_mtok: d(row.cacheWrite1hMtok, 'cacheWrite1hMtok'),
    output_mtok: d(row.outputMtok, 'outputMtok'),
    output_reasoning_mtok: d(row.outputReasoningMtok, 'outputReasoningMtok'),
    input_audio_mtok: d(row.inputAudioMtok, 'inputAudioMtok'),
    output_audio_mtok: d(row.outputAudioMtok, 'outputAudioMtok'),
    input_image_mtok: d(row.inputImageMtok, 'inputImageMtok'),
    output_image_mtok: d(row.outputImageMtok, 'outputImageMtok'),
    requests_kcount: d(row.requestsKcount, 'requestsKcount'),
    tier_start_tokens: row.tierStartTokens ?? null,
    input_mtok_tier: d(row.inputMtokTier, 'inputMtokTier'),
    cache_read_mtok_tier: d(row.cacheReadMtokTier, 'cacheReadMtokTier'),
    cache_write_mtok_tier: d(row.cacheWriteMtokTier, 'cacheWriteMtokTier'),
    cache_write_1h_mtok_tier: d(row.cacheWrite1hMtokTier, 'cacheWrite1hMtokTier'),
    output_mtok_tier: d(row.outputMtokTier, 'outputMtokTier'),
    price_source: row.priceSource,
    price_version: row.priceVersion,
  };
}

function aliasRecord(alias: PriceAlias): Record<string, unknown> {
  return {
    provider: alias.provider.toLowerCase(),
    match_kind: alias.matchKind,
    pattern: alias.pattern.toLowerCase(),
    provider_id: alias.providerId,
    model_id: alias.modelId,
    rank: alias.rank ?? 0,
  };
}

/** `INSERT ... FORMAT JSONEachRow` statements, at most `batch` rows each. */
function insertStatements(table: string, records: Record<string, unknown>[], batch = 5000): string[] {
  const statements: string[] = [];
  for (let i = 0; i < records.length; i += batch) {
    const chunk = records.slice(i, i + batch);
    const columns = Object.keys(chunk[0] ?? {}).join(', ');
    const body = chunk.map((record) => JSON.stringify(record)).join('\n');
    statements.push(`INSERT INTO ${table} (${columns}) FORMAT JSONEachRow\n${body}`);
  }
  return statements;
}

/** The statements that load `rows` and `aliases`. */
export function priceLoadStatements(
  rows: readonly PriceRow[],
  aliases: readonly PriceAlias[],
  options: LoadPricesOptions = {},
): string[] {
  const replace = options.replace ?? true;
  // On a cluster these tables are replicated to every node: a TRUNCATE or INSERT on one
  // node reaches all of them.
  const database = checkIdentifier('database', options.database ?? DEFAULT_DATABASE);
  const prices = `${database}.aicost_prices`;
  const aliasTable = `${database}.aicost_price_aliases`;
  return [
    ...(replace ? [`TRUNCATE TABLE IF EXISTS ${prices}`, `TRUNCATE TABLE IF EXISTS ${aliasTable}`] : []),
    ...insertStatements(prices, rows.map(priceRecord)),
    ...insertStatements(aliasTable, aliases.map(aliasRecord)),
  ];
}

/** Loads prices and aliases through `execute` (one statement per call). */
export async function loadPrices(
  execute: (statement: string) => unknown | Promise<unknown>,
  rows: readonly PriceRow[],
  aliases: readonly PriceAlias[],
  options: LoadPricesOptions = {},
): Promise<void> {
  for (const statement of priceLoadStatements(rows, aliases, options)) await execute(statement);
}
