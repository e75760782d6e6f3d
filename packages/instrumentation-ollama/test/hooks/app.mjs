// An ESM application importing ollama (its ESM build).
import { Ollama } from 'ollama';

const client = new Ollama({ host: process.env.MOCK_URL });
await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Why is the sky blue?' }] });
await client.embed({ model: 'all-minilm', input: 'Why is the sky blue?' });
globalThis.printSpans();
