/**
 * The instrumentation as applications load it: `node --import @aicost/node/register`
 * (ESM, through the import-in-the-middle loader hook and its include list) or
 * `node -r @aicost/node/register` (CommonJS), then the real SDK with its own
 * tracing on. Runs the built packages (dist), as users get them, and reads the
 * spans the application exports over OTLP.
 *
 * The instrumentation hooks the files that define the `Messages` classes, not
 * the SDK's main module: under ESM those files are imported by relative
 * specifiers, which the loader wraps only when @aicost/node tells it to.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { ensureBuilt, NODE_BIN } from '../../node/test/support/build.js';
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from '../../node/test/support/otlp-receiver.js';
import { PACKAGE_NAME } from '../src/index.js';
import { fixture, messageFixture, sseFixture } from './setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const registerEsm = new URL('../../node/dist/register.js', import.meta.url).href;
const registerCjs = fileURLToPath(new URL('../../node/dist/register.cjs', import.meta.url));

let server: MockServer;
let receiver: OtlpReceiver | undefined;

beforeAll(async () => {
  ensureBuilt('core', 'instrumentation-anthropic', 'node');
  server = await startMockServer();
  server.on('POST', '/v1/messages', (request) =>
    request.body?.stream === true ? sseFixture('stream-basic') : messageFixture('message-basic'),
  );
  server.on('POST', /\/model\/.+\/invoke$/, json(fixture('message-basic')));
}, 180_000);
afterAll(() => server?.close());
afterEach(() => receiver?.close());

/** Runs an application with aicost preloaded and returns the GenAI spans it exported at exit. */
async function runApp(preload: string[], app: string): Promise<ReceivedSpan[]> {
  receiver = await startOtlpReceiver();
  await promisify(execFile)(NODE_BIN, [...preload, app], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      MOCK_URL: server.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'anthropic-hooks-app',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
    },
    timeout: 30_000,
  });
  // Exported at exit; the receiver may still be decoding the last request.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return receiver.spans.filter((span) => span.attributes['gen_ai.provider.name'] !== undefined);
}

function describeSpans(spans: ReceivedSpan[]): string[] {
  return spans.map((span) => `${span.scope}: ${span.name}`);
}

describe('@anthropic-ai/sdk loaded by the application, SDK tracing on', () => {
  it.each([
    ['ESM import (--import)', ['--import', registerEsm], './test/hooks/app.mjs'],
    ['CJS require (-r)', ['-r', registerCjs], './test/hooks/app.cjs'],
  ])('%s: one GenAI span per call, ours, priced', async (_, preload, app) => {
    const spans = await runApp(preload, app);

    // Not the SDK's own `anthropic.messages.create` spans (scope com.anthropic.sdk.typescript).
    expect(describeSpans(spans)).toEqual([
      `${PACKAGE_NAME}: chat claude-haiku-4-5-20251001`,
      `${PACKAGE_NAME}: chat claude-haiku-4-5-20251001`,
    ]);
    const [plain, streamed] = spans;
    expect(plain!.attributes['aicost.request.stream']).toBe(false);
    // 2095 × 1,000 + 503 × 5,000 nano-USD (claude-haiku-4-5: $1 / $5 per million tokens)
    expect(plain!.attributes['aicost.cost.total']).toBe('0.004610000');
    expect(streamed!.attributes['aicost.request.stream']).toBe(true);
    // 25 × 1,000 + 15 × 5,000
    expect(streamed!.attributes['aicost.cost.total']).toBe('0.000100000');
  });

  it('ESM import under a loader that wraps only the modules named to it: patched through the main module', async () => {
    // The files that define `Messages` are never shown to the instrumentation here (no @aicost/node).
    const { stdout } = await promisify(execFile)(
      NODE_BIN,
      ['--import', './test/hooks/register-by-name.mjs', './test/hooks/app.mjs'],
      { cwd: packageDir, env: { ...process.env, MOCK_URL: server.url }, timeout: 30_000 },
    );
    const spans = (JSON.parse(stdout.trim().split('\n').at(-1)!) as ReceivedSpan[]).filter(
      (span) => span.attributes['gen_ai.provider.name'] !== undefined,
    );

    expect(describeSpans(spans)).toEqual([
      `${PACKAGE_NAME}: chat claude-haiku-4-5-20251001`,
      `${PACKAGE_NAME}: chat claude-haiku-4-5-20251001`,
    ]);
    expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(['0.004610000', '0.000100000']);
  });

  it('ESM import of the Bedrock client, which never loads the main module, is patched too', async () => {
    const spans = await runApp(['--import', registerEsm], './test/hooks/app-bedrock.mjs');

    expect(describeSpans(spans)).toEqual([
      `${PACKAGE_NAME}: chat global.anthropic.claude-haiku-4-5-20251001-v1:0`,
    ]);
    expect(spans[0]!.attributes['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(spans[0]!.attributes['aicost.cost.total']).toBe('0.004610000');
  });
});
