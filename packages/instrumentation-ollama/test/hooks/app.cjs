// A CommonJS application: the client class and the module's default client.
const ollama = require('ollama');

(async () => {
  const request = { model: 'llama3.2', messages: [{ role: 'user', content: 'Why is the sky blue?' }] };
  await new ollama.Ollama({ host: process.env.MOCK_URL }).chat(request);
  const stream = await new ollama.Ollama({ host: process.env.MOCK_URL }).generate({
    model: 'llama3.2',
    prompt: 'Why is the sky blue?',
    stream: true,
  });
  for await (const _ of stream) {
    // drain
  }
  globalThis.printSpans();
})();
