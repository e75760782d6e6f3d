/**
 * The OpenAI chat completion shape many SDKs share (Groq, OpenRouter, and other compatible APIs):
 * an assistant message's parts, and the deltas of a stream's `choices` added up per choice.
 * Both spellings are read: the wire's snake_case (`tool_calls`, `finish_reason`) and the camelCase
 * of SDKs that parse it into their own models (`toolCalls`, `finishReason`).
 */

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null;

function textOf(content: unknown): string | undefined {
  if (isString(content)) return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => part?.text).filter(isString);
  return texts.length > 0 ? texts.join('') : undefined;
}

/** An assistant message (or a delta sum) as semconv message parts: reasoning, text, tool calls. */
export function chatMessageParts(message: unknown): Array<Record<string, unknown>> {
  if (!isRecord(message)) return [];
  const parts: Array<Record<string, unknown>> = [];
  if (isString(message.reasoning)) parts.push({ type: 'reasoning', content: message.reasoning });
  const text = textOf(message.content);
  if (text) parts.push({ type: 'text', content: text });
  const toolCalls = message.tool_calls ?? message.toolCalls;
  for (const toolCall of Array.isArray(toolCalls) ? toolCalls : []) {
    parts.push({
      type: 'tool_call',
      id: toolCall?.id,
      name: toolCall?.function?.name ?? toolCall?.name,
      arguments: toolCall?.function?.arguments ?? toolCall?.arguments,
    });
  }
  return parts;
}

/** The finish reason of a choice, either spelling. */
export function chatFinishReason(choice: unknown): string | undefined {
  const reason = isRecord(choice) ? (choice.finish_reason ?? choice.finishReason) : undefined;
  return isString(reason) ? reason : undefined;
}

interface ChoiceSum {
  content: string;
  reasoning: string;
  toolCalls: Array<{ id?: string; name?: string; arguments: string }>;
}

/**
 * Adds up the `choices` of streamed chunks: each choice's finish reason and, when content is
 * captured, its text, reasoning and tool-call deltas (arguments arrive in pieces, keyed by index).
 */
export class ChatChoiceDeltas {
  private readonly reasons: string[] = [];
  private readonly sums: ChoiceSum[] = [];

  constructor(private readonly captureContent: boolean) {}

  /** Takes one chunk's `choices`; returns whether it had any (a chunk that counts for the time to first chunk). */
  add(choices: unknown): boolean {
    if (!Array.isArray(choices)) return false;
    for (const choice of choices) {
      const index = typeof choice?.index === 'number' ? choice.index : 0;
      const reason = chatFinishReason(choice);
      if (reason) this.reasons[index] = reason;
      if (this.captureContent) this.join(index, choice?.delta);
    }
    return choices.length > 0;
  }

  /** The finish reasons seen, in choice order. */
  finishReasons(): string[] {
    return this.reasons.filter(isString);
  }

  /** One semconv output message per finished choice (content captured only). */
  outputMessages(): unknown[] {
    return this.reasons.map((reason, index) => ({
      role: 'assistant',
      parts: chatMessageParts(this.sums[index] ?? {}),
      finish_reason: reason,
    }));
  }

  private join(index: number, delta: unknown): void {
    if (!isRecord(delta)) return;
    this.sums[index] ??= { content: '', reasoning: '', toolCalls: [] };
    const sum = this.sums[index];
    if (isString(delta.content)) sum.content += delta.content;
    if (isString(delta.reasoning)) sum.reasoning += delta.reasoning;
    const toolCalls = delta.tool_calls ?? delta.toolCalls;
    for (const toolCall of Array.isArray(toolCalls) ? toolCalls : []) {
      const at = typeof toolCall?.index === 'number' ? toolCall.index : sum.toolCalls.length;
      sum.toolCalls[at] ??= { id: toolCall?.id, arguments: '' };
      const entry = sum.toolCalls[at];
      if (isString(toolCall?.function?.name)) entry.name = toolCall.function.name;
      if (isString(toolCall?.function?.arguments)) entry.arguments += toolCall.function.arguments;
    }
  }
}
