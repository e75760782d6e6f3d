// The unhandled-rejection probe (test/support/rejection-probe.mjs) for
// cohere-ai: CohereClientV2 chat() (chatStream() in mode `stream`) against a
// failing server, no retries; `raw` asks with withRawResponse().
import * as sdk from 'cohere-ai';
import { probeUnhandledRejections } from '../../../../test/support/rejection-probe.mjs';

await probeUnhandledRejections({
  instrument: async () => (await import('../../dist/index.js')).instrument(sdk),
  request(mode, fetch) {
    const client = new sdk.CohereClientV2({ token: 'test-key', environment: process.env.MOCK_URL, fetch });
    const request = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] };
    const options = { maxRetries: 0 };
    return mode === 'stream' ? client.chatStream(request, options) : client.chat(request, options);
  },
  handlers: { raw: (promise) => promise.withRawResponse() },
});
