// An ESM application (@mistralai/mistralai 2.x is ESM only), run with
// MISTRAL_SDK_TELEMETRY=global so the SDK would trace itself too.
import { Mistral } from '@mistralai/mistralai';

const client = new Mistral({ apiKey: 'test-key', serverURL: process.env.MOCK_URL });
const messages = [{ role: 'user', content: 'What is the best French cheese?' }];
await client.chat.complete({ model: 'mistral-small-latest', messages });
for await (const _ of await client.chat.stream({ model: 'mistral-small-latest', messages })) {
  // drain
}
await client.embeddings.create({ model: 'mistral-embed', inputs: ['Embed this sentence.'] });
globalThis.printSpans();
