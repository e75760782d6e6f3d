/**
 * The provider clients, created once. Real API keys and hosts by default; with
 * PROVIDER_MOCK_URL set (as `aicost demo` does) the requests go to a loopback
 * mock provider instead.
 *
 * Why not just OPENAI_BASE_URL=http://127.0.0.1:...? The OpenAI wire format is
 * spoken by many vendors, so the instrumentation names the provider from the
 * host: a loopback base URL is a self-hosted server with no list price. The
 * clients therefore keep their real base URLs and only the network (`fetch`)
 * is redirected, as a test double should.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { CohereClientV2 } from 'cohere-ai';
import OpenAI from 'openai';

const mockUrl = process.env.PROVIDER_MOCK_URL?.replace(/\/$/, '');

/** A fetch that sends every request to the mock, keeping path and query. */
function toMock(base: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return fetch(`${base}${url.pathname}${url.search}`, init);
  };
}

const keyFor = (name: string) => process.env[name] ?? (mockUrl ? 'demo-key' : undefined);

export const openai = new OpenAI({
  apiKey: keyFor('OPENAI_API_KEY'),
  ...(mockUrl ? { fetch: toMock(mockUrl), maxRetries: 0 } : {}),
});

export const anthropic = new Anthropic({
  apiKey: keyFor('ANTHROPIC_API_KEY'),
  ...(mockUrl ? { fetch: toMock(mockUrl), maxRetries: 0 } : {}),
});

// These clients are named by their SDK, not by host, so pointing their base URL at the mock is enough.
export const gemini = new GoogleGenAI({
  apiKey: keyFor('GEMINI_API_KEY'),
  ...(mockUrl ? { httpOptions: { baseUrl: mockUrl } } : {}),
});

export const mistral = new Mistral({
  apiKey: keyFor('MISTRAL_API_KEY'),
  ...(mockUrl ? { serverURL: mockUrl } : {}),
});

export const cohere = new CohereClientV2({
  token: keyFor('CO_API_KEY'),
  ...(mockUrl ? { environment: mockUrl } : {}),
});

export const usingMock = mockUrl !== undefined;
