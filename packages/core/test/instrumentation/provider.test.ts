import { describe, expect, it } from 'vitest';
import { providerFromBaseURL, serverFromBaseURL } from '../../src/instrumentation/provider.js';

describe('providerFromBaseURL', () => {
  it.each([
    ['https://api.openai.com/v1', 'openai'],
    ['https://my-resource.openai.azure.com/openai', 'azure.ai.openai'],
    ['https://my-resource.cognitiveservices.azure.com/openai/v1', 'azure.ai.openai'],
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.deepseek.com', 'deepseek'],
    ['https://api.together.xyz/v1', 'together_ai'],
    ['https://api.fireworks.ai/inference/v1', 'fireworks'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['https://api.x.ai/v1', 'x_ai'],
    ['https://api.mistral.ai/v1', 'mistral_ai'],
    ['http://localhost:11434/v1', 'self_hosted'],
    ['http://127.0.0.1:5555/v1', 'self_hosted'],
    ['http://192.168.1.20/v1', 'self_hosted'],
    ['http://10.0.0.7:9000/v1', 'self_hosted'],
    ['http://[::1]:8080/v1', 'self_hosted'],
    ['http://gpu-box.example.com:8000/v1', 'self_hosted'],
    ['http://lmstudio.example.com:1234/v1', 'self_hosted'],
    ['http://ollama.example.com:11434/v1', 'self_hosted'],
  ])('maps %s to %s', (url, provider) => {
    expect(providerFromBaseURL(url)).toBe(provider);
  });

  it('gives the default provider for an unknown public host or no URL', () => {
    expect(providerFromBaseURL('https://llm-proxy.example.com/v1')).toBe('openai');
    expect(providerFromBaseURL('https://llm-proxy.example.com/v1', 'anthropic')).toBe('anthropic');
    expect(providerFromBaseURL(undefined)).toBe('openai');
    expect(providerFromBaseURL('not a url')).toBe('openai');
  });

  it('does not mistake a look-alike host for a known one', () => {
    expect(providerFromBaseURL('https://api.openai.com.evil.example/v1')).toBe('openai');
    expect(providerFromBaseURL('https://notapi.groq.com.example/v1', 'x')).toBe('x');
  });
});

describe('serverFromBaseURL', () => {
  it('uses the explicit port, else the scheme default', () => {
    expect(serverFromBaseURL('https://api.openai.com/v1')).toEqual({
      serverAddress: 'api.openai.com',
      serverPort: 443,
    });
    expect(serverFromBaseURL('http://localhost/v1')).toEqual({ serverAddress: 'localhost', serverPort: 80 });
    expect(serverFromBaseURL('http://127.0.0.1:4567/v1')).toEqual({
      serverAddress: '127.0.0.1',
      serverPort: 4567,
    });
    expect(serverFromBaseURL(undefined)).toEqual({});
  });
});
