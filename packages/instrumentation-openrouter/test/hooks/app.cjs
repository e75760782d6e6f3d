// A CommonJS application: @openrouter/sdk is an ES module package, loaded with require(esm).
const { OpenRouter } = require('@openrouter/sdk');

(async () => {
  const client = new OpenRouter({ apiKey: 'test-key', serverURL: `${process.env.MOCK_URL}/api/v1` });
  await client.chat.send({
    chatRequest: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] },
  });
  globalThis.printSpans();
})();
