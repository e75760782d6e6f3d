// A CommonJS application on the previous major (@mistralai/mistralai 1.x).
const { Mistral } = require('mistral-v1');

(async () => {
  const client = new Mistral({ apiKey: 'test-key', serverURL: process.env.MOCK_URL });
  await client.chat.complete({
    model: 'mistral-small-latest',
    messages: [{ role: 'user', content: 'What is the best French cheese?' }],
  });
  globalThis.printSpans();
})();
