/**
 * `node --import @aicost/node/register app.mjs`: the ESM loader hook lets the
 * aicost instrumentations patch provider SDKs that an ESM application imports
 * statically. Each case runs a real child process (the project's Node 24)
 * against a loopback provider and a loopback OTLP receiver. As a control, the
 * same app preloaded with the CommonJS entry (`-r`, no loader hook) is not
 * patched: the hook is what makes ESM work.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from '../../packages/node/test/support/build.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../packages/node/test/support/otlp-receiver.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITH_CACHE } from '../foreign-spans/openai-fixture.js';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

/** An instrumentation can be tested once its package exports its class (they are built in parallel). */
function exportsClass(packageName: string, className: string): boolean {
  const index = readFileSync(`${packagesDir}${packageName}/src/index.ts`, 'utf8');
  return new RegExp(`\\b${className}\\b`).test(index);
}

const GEMINI_RESPONSE = {
  candidates: [
    {
      content: { parts: [{ text: 'Rayleigh scattering.' }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100, totalTokenCount: 1100 },
  modelVersion: 'gemini-2.0-flash',
  responseId: 'esm-test-1',
};

/** What `provider.on` takes: method, path, responses. */
type RouteArgs = Parameters<MockServer['on']>;

const cases = [
  {
    name: 'google-genai',
    packageName: 'instrumentation-google-genai',
    className: 'GoogleGenAIInstrumentation',
    app: 'app-google-genai.mjs',
    route: [
      'POST',
      /^\/v1(beta)?\/models\/gemini-2\.0-flash:generateContent/,
      json(GEMINI_RESPONSE),
    ] as RouteArgs,
    text: 'Rayleigh scattering.',
    spanName: 'generate_content gemini-2.0-flash',
    // gemini-2.0-flash list price: $0.10 input, $0.40 output per million tokens.
    cost: '0.000140000',
  },
  {
    name: 'openai',
    packageName: 'instrumentation-openai',
    className: 'OpenAIInstrumentation',
    app: 'app-openai.mjs',
    route: ['POST', '/v1/chat/completions', json(CHAT_COMPLETION_WITH_CACHE)] as RouteArgs,
    text: 'The capital of France is Paris.',
    spanName: 'chat gpt-4o-mini',
    cost: COST_WITH_CACHE,
  },
];

let provider: MockServer;

beforeAll(async () => {
  // Build up front: rebuilding a package while another test file's children load it would break them.
  ensureBuilt('core', 'node', ...cases.filter(isReady).map((testCase) => testCase.packageName));
  provider = await startMockServer();
}, 300_000);
afterAll(() => provider.close());

async function runApp(preload: string[], app: string, receiver: OtlpReceiver) {
  const child = spawn(NODE_BIN, [...preload, app], {
    cwd: fixtures,
    env: {
      PATH: process.env.PATH ?? '',
      MOCK_PROVIDER_URL: provider.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'esm-app',
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

function isReady(testCase: (typeof cases)[number]): boolean {
  return exportsClass(testCase.packageName, testCase.className);
}

describe.each(cases)('ESM app importing the $name SDK', (testCase) => {
  const ready = isReady(testCase);

  it.skipIf(!ready)('is patched under --import @aicost/node/register', { timeout: 120_000 }, async () => {
    provider.on(...testCase.route);
    const receiver = await startOtlpReceiver();
    try {
      const result = await runApp(['--import', '@aicost/node/register'], testCase.app, receiver);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout.trim())).toEqual({ text: testCase.text });
      const span = receiver.spans.find((s) => s.scope === `@aicost/${testCase.packageName}`);
      expect(span, JSON.stringify(receiver.spans.map((s) => [s.scope, s.name]))).toBeDefined();
      expect(span?.name).toBe(testCase.spanName);
      expect(span?.attributes).toMatchObject({
        'aicost.feature': 'esm-app',
        'aicost.cost.status': 'priced',
        'aicost.cost.total': testCase.cost,
        'aicost.usage.source': 'aicost',
      });
      expect(receiver.points.some((p) => p.metric === 'gen_ai.client.token.usage')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(!ready)(
    'is not patched with the CommonJS preload, which installs no loader hook',
    { timeout: 120_000 },
    async () => {
      provider.on(...testCase.route);
      const receiver = await startOtlpReceiver();
      try {
        const result = await runApp(['-r', '@aicost/node/register'], testCase.app, receiver);
        expect(result.code, result.stderr).toBe(0);
        expect(receiver.spans.filter((s) => s.scope === `@aicost/${testCase.packageName}`)).toHaveLength(0);
      } finally {
        await receiver.close();
      }
    },
  );
});
