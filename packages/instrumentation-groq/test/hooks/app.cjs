// A CommonJS application (groq-sdk's CommonJS build): a plain call and a stream.
const Groq = require('groq-sdk');

(async () => {
  const client = new Groq({ apiKey: 'test-key', baseURL: process.env.MOCK_URL });
  const request = {
    model: 'llama-3.3-70b-versatile',
    messages: [{ role: 'user', content: 'Explain the importance of fast language models' }],
  };
  await client.chat.completions.create(request);
  for await (const _ of await client.chat.completions.create({ ...request, stream: true })) {
    // drain
  }
  globalThis.printSpans();
})();
