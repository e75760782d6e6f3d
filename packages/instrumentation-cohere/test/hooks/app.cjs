// A CommonJS application on both majors of cohere-ai.
const { CohereClientV2 } = require('cohere-ai');
const v7 = require('cohere-v7');

(async () => {
  const request = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Tell me about LLMs' }] };
  await new CohereClientV2({ token: 'test-key', environment: process.env.MOCK_URL }).chat(request);
  await new v7.CohereClientV2({ token: 'test-key', environment: process.env.MOCK_URL }).chat(request);
  globalThis.printSpans();
})();
