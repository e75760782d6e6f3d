// The unhandled-rejection probe (test/support/rejection-probe.mjs) for groq-sdk:
// chat.completions.create() against a failing server, no retries; `raw` asks
// with asResponse(), `with` with withResponse().
import * as sdk from 'groq-sdk';
import { probeUnhandledRejections } from '../../../../test/support/rejection-probe.mjs';

await probeUnhandledRejections({
  instrument: async () => (await import('../../dist/index.js')).instrument(sdk),
  request(mode, fetch) {
    const client = new sdk.Groq({ apiKey: 'test-key', baseURL: process.env.MOCK_URL, maxRetries: 0, fetch });
    const request = { model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'Hi' }] };
    return client.chat.completions.create(mode === 'stream' ? { ...request, stream: true } : request);
  },
  handlers: { raw: (promise) => promise.asResponse(), with: (promise) => promise.withResponse() },
});
