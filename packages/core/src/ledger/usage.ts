import type { InvalidUsage, TokenUsage } from '../types.js';

/** More tokens than any single call can bill: a count above this is a bug upstream, not usage. */
export const MAX_TOKEN_COUNT = 1e12;

const DIGITS = /^\d+$/;

export function isInvalidUsage(value: unknown): value is InvalidUsage {
  return typeof value === 'object' && value !== null && (value as InvalidUsage).invalidUsage === true;
}

export function isTokenUsage(value: unknown): value is TokenUsage {
  return (
    typeof value === 'object' &&
    value !== null &&
    !isInvalidUsage(value) &&
    typeof (value as TokenUsage).inputTokens === 'number' &&
    typeof (value as TokenUsage).outputTokens === 'number'
  );
}

export function invalidUsage(field: string, value: unknown, message: string): InvalidUsage {
  return { invalidUsage: true, field, value, message };
}

/**
 * Reads token counts from provider payloads, keeping the first bad one.
 * Converters read every field through one reader, then call
 * {@link CountReader.finish}: one bad field makes the whole usage invalid,
 * because a ledger with a guessed part would be priced as if it were true.
 */
export class CountReader {
  private problem: InvalidUsage | undefined;

  /**
   * A count, or `undefined` when the field is absent (`undefined`/`null`).
   * Numbers must be non-negative safe integers up to {@link MAX_TOKEN_COUNT};
   * strings of digits are accepted too (HTTP headers, span attributes).
   */
  count(value: unknown, field: string, fieldPrefix = ''): number | undefined {
    if (value === undefined || value === null) return undefined;
    // The common case first, and the field's full name only built for an error: this runs for every count of every call.
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT) {
      return value;
    }
    const name = `${fieldPrefix}${field}`;
    let count: number | undefined;
    if (typeof value === 'number') count = value;
    else if (typeof value === 'bigint') count = Number(value);
    else if (typeof value === 'string' && DIGITS.test(value.trim())) count = Number(value.trim());
    if (count === undefined || Number.isNaN(count)) {
      return this.reject(name, value, `${name} is not a number`);
    }
    if (!Number.isInteger(count)) return this.reject(name, value, `${name} is not an integer`);
    if (count < 0) return this.reject(name, value, `${name} is negative`);
    if (count > MAX_TOKEN_COUNT) return this.reject(name, value, `${name} exceeds ${MAX_TOKEN_COUNT}`);
    return count;
  }

  /** The first of several spellings that is present (`prompt_tokens` / `promptTokens`). */
  first(source: unknown, fields: readonly string[], prefix: string): number | undefined {
    if (!isRecord(source)) return undefined;
    for (const field of fields) {
      if (source[field] !== undefined && source[field] !== null) {
        return this.count(source[field], field, prefix);
      }
    }
    return undefined;
  }

  reject(field: string, value: unknown, message: string): undefined {
    this.problem ??= invalidUsage(field, value, message);
    return undefined;
  }

  get invalid(): InvalidUsage | undefined {
    return this.problem;
  }

  /** The checked ledger, or the first problem found while reading or checking it. */
  finish(parts: UsageParts): TokenUsage | InvalidUsage {
    return this.problem ?? buildUsage(parts);
  }
}

/** Ledger fields as a converter computes them; absent parts are 0 (optional ones stay absent). */
export interface UsageParts {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  inputAudioTokens?: number;
  outputAudioTokens?: number;
  inputImageTokens?: number;
  outputImageTokens?: number;
  requests?: number;
}

/**
 * Builds and checks a ledger: every count valid, and every part within its
 * whole (cache tokens within input, reasoning within output, ...). A part
 * larger than its whole is how double counting shows itself.
 */
export function buildUsage(parts: UsageParts): TokenUsage | InvalidUsage {
  const reader = new CountReader();
  const read = (field: keyof UsageParts) => reader.count(parts[field], field);
  const usage: TokenUsage = {
    inputTokens: read('inputTokens') ?? 0,
    outputTokens: read('outputTokens') ?? 0,
    cacheReadTokens: read('cacheReadTokens') ?? 0,
    cacheWriteTokens: read('cacheWriteTokens') ?? 0,
    reasoningTokens: read('reasoningTokens') ?? 0,
    requests: read('requests') ?? 1,
  };
  const optional = [
    'cacheWrite5mTokens',
    'cacheWrite1hTokens',
    'inputAudioTokens',
    'outputAudioTokens',
    'inputImageTokens',
    'outputImageTokens',
  ] as const;
  for (const field of optional) {
    const value = read(field);
    if (value !== undefined) usage[field] = value;
  }
  if (reader.invalid) return reader.invalid;
  return checkParts(usage) ?? usage;
}

/** Checks a ledger built elsewhere (e.g. by hand) exactly as converters' ledgers are checked. */
export function validateUsage(usage: TokenUsage | InvalidUsage): TokenUsage | InvalidUsage {
  if (isInvalidUsage(usage)) return usage;
  if (!isTokenUsage(usage)) return invalidUsage('usage', usage, 'usage is not a token ledger');
  return buildUsage(usage);
}

function checkParts(usage: TokenUsage): InvalidUsage | undefined {
  const exceeds = (partsName: string, parts: number, wholeName: string, whole: number) =>
    parts > whole
      ? invalidUsage(partsName, parts, `${partsName} (${parts}) exceed ${wholeName} (${whole})`)
      : undefined;
  return (
    exceeds(
      'cacheReadTokens + cacheWriteTokens',
      usage.cacheReadTokens + usage.cacheWriteTokens,
      'inputTokens',
      usage.inputTokens,
    ) ??
    exceeds(
      'cacheWrite5mTokens + cacheWrite1hTokens',
      (usage.cacheWrite5mTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0),
      'cacheWriteTokens',
      usage.cacheWriteTokens,
    ) ??
    exceeds(
      'inputAudioTokens + inputImageTokens',
      (usage.inputAudioTokens ?? 0) + (usage.inputImageTokens ?? 0),
      'inputTokens',
      usage.inputTokens,
    ) ??
    exceeds(
      'reasoningTokens + outputAudioTokens + outputImageTokens',
      usage.reasoningTokens + (usage.outputAudioTokens ?? 0) + (usage.outputImageTokens ?? 0),
      'outputTokens',
      usage.outputTokens,
    )
  );
}

/** Sum of ledgers (e.g. the steps of an agent loop). Optional parts stay absent unless some ledger has them. */
export function addUsage(...ledgers: TokenUsage[]): TokenUsage {
  const total: TokenUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    requests: 0,
  };
  const keys = Object.keys(total) as (keyof TokenUsage)[];
  const optional = [
    'cacheWrite5mTokens',
    'cacheWrite1hTokens',
    'inputAudioTokens',
    'outputAudioTokens',
    'inputImageTokens',
    'outputImageTokens',
  ] as const;
  for (const ledger of ledgers) {
    for (const key of keys) total[key] = (total[key] ?? 0) + (ledger[key] ?? 0);
    for (const key of optional) {
      if (ledger[key] !== undefined) total[key] = (total[key] ?? 0) + ledger[key];
    }
  }
  return total;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `source[a][b]...`, or `undefined` as soon as a step is not an object. */
export function dig(source: unknown, ...path: string[]): unknown {
  let current = source;
  for (const step of path) {
    if (!isRecord(current)) return undefined;
    current = current[step];
  }
  return current;
}

/** The first present value among several spellings of one field. */
export function pick(source: unknown, ...fields: string[]): unknown {
  if (!isRecord(source)) return undefined;
  for (const field of fields) {
    const value = source[field];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}
