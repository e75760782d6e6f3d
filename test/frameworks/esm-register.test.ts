/**
 * The agent frameworks in ES module applications started the usual way,
 * `node --import @aicost/node/register app.mjs`, exporting over OTLP: the loader hook patches
 * the provider SDK each framework imports, and every model call arrives as one priced,
 * attributed span, with nothing else exported. (The suites beside this one load the frameworks'
 * CommonJS builds in-process after `register()`, to export their spans into the schema.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from '../../packages/node/test/support/build.js';
import { startOtlpReceiver } from '../../packages/node/test/support/otlp-receiver.js';
import { json, type MockServer, type RecordedRequest, startMockServer } from '../support/mock-server.js';
import { functionCallResponse, openaiChatToolLoop, providerFixture } from './support.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = providerFixture('openai');

let provider: MockServer;

beforeAll(async () => {
  ensureBuilt('core', 'node', 'instrumentation-openai');
  provider = await startMockServer();
  provider.on('POST', '/v1/chat/completions', openaiChatToolLoop);
  provider.on('POST', '/v1/responses', (request: RecordedRequest) => {
    const input = Array.isArray(request.body.input) ? request.body.input : [];
    if (input.some((item: { type?: string }) => item.type === 'function_call_output'))
      return json(fixture('response'));
    return json(functionCallResponse('get_weather', '{"city":"Paris"}'));
  });
}, 300_000);
afterAll(() => provider.close());

const cases = [
  {
    name: 'LangChain JS (@langchain/openai)',
    app: 'app-langchain.mjs',
    path: '/v1/chat/completions',
    attribution: { 'aicost.feature': 'trip-planner', 'aicost.customer': 'acme' },
    // gpt-4o-mini: 82 in / 17 out, then 19 in / 10 out, at $0.15 / $0.60 per million.
    costs: ['0.000022500', '0.000008850'],
  },
  {
    name: 'OpenAI Agents SDK (@openai/agents)',
    app: 'app-openai-agents.mjs',
    path: '/v1/responses',
    attribution: { 'aicost.feature': 'concierge', 'aicost.customer': 'globex' },
    // gpt-4.1: 120 in / 20 out, then 36 in / 87 out, at $2 / $8 per million.
    costs: ['0.000400000', '0.000768000'],
  },
];

describe.each(cases)('$name under --import @aicost/node/register', (testCase) => {
  it('exports one priced, attributed span per model call, and nothing else', {
    timeout: 120_000,
  }, async () => {
    provider.requests.length = 0;
    const receiver = await startOtlpReceiver();
    try {
      const child = spawn(NODE_BIN, ['--import', '@aicost/node/register', testCase.app], {
        cwd: fixtures,
        env: {
          PATH: process.env.PATH ?? '',
          MOCK_PROVIDER_URL: provider.url,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_SERVICE_NAME: 'framework-app',
          // The Agents SDK would otherwise send its own traces to OpenAI's tracing API.
          OPENAI_AGENTS_DISABLE_TRACING: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const [code] = await once(child, 'exit');
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}').text).toBeTruthy();

      const calls = provider.requests.filter((request) => request.path === testCase.path).length;
      expect(calls).toBe(2);
      expect(receiver.spans.map((span) => span.scope)).toEqual([
        '@aicost/instrumentation-openai',
        '@aicost/instrumentation-openai',
      ]);
      expect(receiver.spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(testCase.costs);
      for (const span of receiver.spans) expect(span.attributes).toMatchObject(testCase.attribution);
    } finally {
      await receiver.close();
    }
  });
});
