// The unhandled-rejection probe (test/support/rejection-probe.mjs) for ollama:
// chat() against a failing server.
import * as sdk from 'ollama';
import { probeUnhandledRejections } from '../../../../test/support/rejection-probe.mjs';

await probeUnhandledRejections({
  instrument: async () => (await import('../../dist/index.js')).instrument(sdk),
  request(mode, fetch) {
    const client = new sdk.Ollama({ host: process.env.MOCK_URL, fetch });
    return client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: mode === 'stream',
    });
  },
});
