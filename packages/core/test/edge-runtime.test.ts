/**
 * What lets pricing run on edge runtimes (no Node built-ins): the content
 * hash that names override sets is a pure SHA-256 giving Node's digest, and
 * the overrides file is read through `process.getBuiltinModule` only when a
 * file is asked for; without a file system it is reported, never thrown, and
 * overrides given in code still apply.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPricer, loadPriceOverridesFile, parsePriceOverrides } from '../src/pricing/index.js';
import { sha256Hex } from '../src/pricing/sha256.js';
import type { TokenUsage } from '../src/types.js';

const nodeSha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it.each([
    ['empty', ''],
    ['one block', 'abc'],
    // 55 bytes fit the length in the same block, 56 do not; 64 is a whole block.
    ['55 bytes', 'a'.repeat(55)],
    ['56 bytes', 'a'.repeat(56)],
    ['64 bytes', 'a'.repeat(64)],
    ['several blocks', 'The quick brown fox jumps over the lazy dog. '.repeat(40)],
    ['UTF-8', 'prix € — ユーロ 💶'],
  ])('matches node:crypto (%s)', (_label, text) => {
    expect(sha256Hex(text)).toBe(nodeSha256(text));
  });

  it('names an override set without a version as before: overrides@ and 12 hex digits of its JSON', () => {
    const input = { prices: [{ model: 'my-model', input_mtok: 1, output_mtok: '2.5' }] };
    const result = parsePriceOverrides(input);
    expect(result.ok && result.overrides.version).toBe(
      `overrides@${nodeSha256(JSON.stringify(input)).slice(0, 12)}`,
    );
  });
});

describe('a runtime without a file system', () => {
  const directory = mkdtempSync(join(tmpdir(), 'aicost-edge-'));
  const file = join(directory, 'prices.yaml');
  writeFileSync(file, 'prices:\n  - model: from-file\n    input_mtok: 1\n    output_mtok: 1\n');

  afterEach(() => vi.restoreAllMocks());

  /** Runs `fn` as an edge runtime would: a `process` without `getBuiltinModule`. */
  function withoutFileSystem<T>(fn: () => T): T {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    return fn();
  }

  it('reports the overrides file as unreadable instead of throwing', () => {
    expect(loadPriceOverridesFile(file).ok).toBe(true);
    const result = withoutFileSystem(() => loadPriceOverridesFile(file));
    expect(result).toEqual({
      ok: false,
      errors: [
        `${file}: cannot read the file (this runtime has no file system; give the overrides in code instead)`,
      ],
    });
  });

  it('still prices with the catalogue and overrides given in code when AICOST_PRICES_FILE is set', () => {
    const errors: string[] = [];
    vi.spyOn(diag, 'error').mockImplementation((message: string) => void errors.push(message));
    const pricer = withoutFileSystem(() =>
      createPricer({
        env: { AICOST_PRICES_FILE: file },
        overrides: { prices: [{ model: 'in-code', input_mtok: 2, output_mtok: 4 }] },
      }),
    );
    expect(errors).toEqual([
      `aicost: price overrides ignored: ${file}: cannot read the file (this runtime has no file system; give the overrides in code instead)`,
    ]);
    // 1M input x $2 + 500k output x $4 = $4.
    const usage: TokenUsage = {
      inputTokens: 1_000_000,
      outputTokens: 500_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      requests: 1,
    };
    expect(pricer.priceUsage({ provider: 'openai', model: 'in-code', usage }).cost?.total).toBe(
      4_000_000_000n,
    );
    expect(pricer.priceUsage({ provider: 'openai', model: 'from-file', usage }).status).toBe('unpriced');
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o-mini', usage }).status).toBe('priced');
  });
});
