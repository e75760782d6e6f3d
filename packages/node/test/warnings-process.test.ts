import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from './support/build.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function runUnknownModelApp(env: Record<string, string> = {}) {
  const child = spawn(NODE_BIN, ['--import', '@aicost/node/register', 'app-unknown-model.mjs'], {
    cwd: fixtures,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // Nothing to export to: the test is about what the user sees on stderr.
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

const unknownModelLines = (stderr: string) =>
  stderr.split('\n').filter((line) => line.includes('no-such-model-xyz'));

beforeAll(() => ensureBuilt('core', 'node'), 180_000);

describe('warnings a user sees without configuring anything', () => {
  it('an unknown model is reported once on stderr, however many calls use it', async () => {
    const result = await runUnknownModelApp();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"status":"unpriced"');
    const lines = unknownModelLines(result.stderr);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^aicost: no price for provider "openai" model "no-such-model-xyz"; cost left unknown$/,
    );
  });

  it('OTEL_LOG_LEVEL wins: at "none" the Node SDK logs nothing, and neither does aicost', async () => {
    const result = await runUnknownModelApp({ OTEL_LOG_LEVEL: 'none' });
    expect(result.code, result.stderr).toBe(0);
    expect(unknownModelLines(result.stderr)).toEqual([]);
  });

  it('OTEL_LOG_LEVEL=warn: the Node SDK logger shows the line, once, and aicost adds no second one', async () => {
    const result = await runUnknownModelApp({ OTEL_LOG_LEVEL: 'warn' });
    expect(result.code, result.stderr).toBe(0);
    expect(unknownModelLines(result.stderr)).toHaveLength(1);
  });
});
