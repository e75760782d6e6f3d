import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from '../../node/test/support/build.js';

const fixture = fileURLToPath(new URL('./fixtures/dual-package.mjs', import.meta.url));

beforeAll(() => ensureBuilt('core'), 180_000);

describe('the ESM and CommonJS builds loaded in one process', () => {
  it('share the default price book and the attribution scope', () => {
    const stdout = execFileSync(NODE_BIN, [fixture], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    const result = JSON.parse(stdout.trim());
    // Two module copies really are loaded (different classes), so what follows is shared state, not one module.
    expect(result.copiesDiffer).toBe(true);
    expect(result.unpricedBefore).toBe('unpriced');
    // A price book set through the ESM copy prices calls made through the CommonJS copy:
    // 1M input at $2/M + 1M output at $3/M.
    expect(result.sameBook).toBe(true);
    expect(result.cjsStatus).toBe('override');
    expect(result.cjsTotal).toBe('5.000000000');
    // setAttribution through one copy lands in the scope opened by the other.
    expect(result.setThroughCjs).toBe(true);
    expect(result.seenByEsm).toEqual({ feature: 'search', customer: 'acme-corp' });
  });
});
