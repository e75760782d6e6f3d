/**
 * Deterministic "model output" for the demo's mock providers: token counts
 * estimated from the request text and reply text picked by a hash of the
 * prompt, so the same request always gets the same answer and usage.
 */

/** A rough tokenizer (≈4 bytes per token, the usual rule of thumb for English). */
export function countTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/** FNV-1a, 32 bits: a stable seed from the prompt (not for security). */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * How many tokens the mock "generates": between half and all of the budget the
 * request allows, chosen by the prompt's seed (at least 16).
 */
export function outputTokens(seed: number, maxTokens: number | undefined): number {
  const budget = maxTokens && maxTokens > 0 ? maxTokens : 400;
  return Math.max(16, Math.round(budget * (0.5 + (seed % 51) / 100)));
}

const SENTENCES = [
  'Thanks for reaching out, I looked into your account and found the cause.',
  'The invoice was generated twice because the plan changed mid-cycle.',
  'I have summarised the key points below so you can share them with your team.',
  'The function allocates a new buffer on every iteration; hoist it out of the loop.',
  'Consider handling the error returned by the network call instead of ignoring it.',
  'The document describes a three-phase migration with a rollback plan.',
  'Overall the change looks good, with two small suggestions on naming.',
  'Customers on the enterprise plan get priority routing to a specialist.',
  'The quarterly numbers show growth in usage, driven by the new reporting feature.',
  'Let me know if there is anything else I can help you with today.',
];

/** Reply text of about `tokens` tokens (4 bytes each), the same for the same seed. */
export function replyText(seed: number, tokens: number): string {
  const target = tokens * 4;
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < target; i++) {
    const sentence = SENTENCES[(seed + i * 7) % SENTENCES.length] as string;
    parts.push(sentence);
    length += sentence.length + 1;
  }
  return parts.join(' ').slice(0, target);
}

/** Splits a reply into stream deltas of a few words each (the first one keeps no leading space). */
export function deltas(text: string, wordsPerDelta = 6): string[] {
  const words = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerDelta) {
    const piece = words.slice(i, i + wordsPerDelta).join(' ');
    out.push(i === 0 ? piece : ` ${piece}`);
  }
  return out;
}

/** Every string found in a JSON-ish request value (message contents, parts, system blocks). */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.text === 'string') return [record.text];
    if ('content' in record) return textsOf(record.content);
    if ('parts' in record) return textsOf(record.parts);
  }
  return [];
}
