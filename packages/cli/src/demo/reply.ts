/** What a mock provider route answers: a JSON body or a server-sent event stream. */
export interface SseEvent {
  /** The `event:` line (Anthropic names its events; OpenAI and Gemini do not). */
  event?: string;
  /** The `data:` payload: JSON text, or OpenAI's `[DONE]`. */
  data: string;
}

export type MockReply = { kind: 'json'; status: number; body: unknown } | { kind: 'sse'; events: SseEvent[] };

export function jsonReply(body: unknown, status = 200): MockReply {
  return { kind: 'json', status, body };
}

/** An error body in the provider's own shape, so the SDK raises its usual error class. */
export function errorReply(status: number, body: unknown): MockReply {
  return { kind: 'json', status, body };
}
