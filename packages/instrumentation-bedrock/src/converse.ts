/**
 * Converse and ConverseStream: one request and response format for every model
 * on Bedrock. Usage is Converse's `usage` (or the stream's `metadata` event),
 * read by the core ledger converter, which knows that `inputTokens` excludes
 * the cache reads and writes.
 */
import { type LedgerResult, usageFromBedrockConverse } from '@aicost/core';
import type {
  ConverseContentBlock,
  ConverseInput,
  ConverseMessage,
  ConverseOutput,
  ConverseStreamEvent,
} from './types.js';

/** Bedrock's `stopReason` as the semconv's output-message `finish_reason`. */
const FINISH_REASON: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_call',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function converseUsage(output: ConverseOutput): LedgerResult {
  return usageFromBedrockConverse(output?.usage);
}

export function converseFinishReasons(stopReason: unknown): string[] | undefined {
  return typeof stopReason === 'string' && stopReason ? [stopReason] : undefined;
}

// ---------------------------------------------------------------------------
// ConverseStream
// ---------------------------------------------------------------------------

/**
 * The message a ConverseStream builds, as far as telemetry needs it:
 * `messageStop` carries the stop reason, `metadata` the usage. Content is kept
 * only when it is going to be recorded.
 */
export class StreamedConverse {
  stopReason: string | undefined;
  usage: unknown;
  serviceTier: string | undefined;
  private readonly blocks = new Map<number, ConverseContentBlock & { toolInput?: string }>();

  constructor(private readonly keepContent: boolean) {}

  /** Adds one event; returns true when it is generated content (time to first chunk). */
  add(event: ConverseStreamEvent): boolean {
    if (!event || typeof event !== 'object') return false;
    if (event.metadata) {
      this.usage = event.metadata.usage;
      this.serviceTier = servedTier(event.metadata.serviceTier?.type) ?? this.serviceTier;
    }
    if (event.messageStop && typeof event.messageStop.stopReason === 'string') {
      this.stopReason = event.messageStop.stopReason;
    }
    if (event.contentBlockStart) {
      if (this.keepContent) this.startBlock(event.contentBlockStart);
      return true;
    }
    if (event.contentBlockDelta) {
      if (this.keepContent) this.addDelta(event.contentBlockDelta);
      return true;
    }
    return false;
  }

  /** The assistant message so far (content only when kept). */
  message(): ConverseMessage {
    const content = [...this.blocks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, block]) => {
        if (!block.toolUse) return block;
        let input: unknown = block.toolInput;
        try {
          input = block.toolInput ? JSON.parse(block.toolInput) : {};
        } catch {
          // A stream that broke off mid-arguments: keep the raw text.
        }
        return { toolUse: { ...block.toolUse, input } };
      });
    return { role: 'assistant', content };
  }

  private startBlock(start: NonNullable<ConverseStreamEvent['contentBlockStart']>): void {
    const toolUse = start.start?.toolUse;
    if (toolUse) this.blocks.set(start.contentBlockIndex ?? 0, { toolUse: { ...toolUse }, toolInput: '' });
  }

  private addDelta(delta: NonNullable<ConverseStreamEvent['contentBlockDelta']>): void {
    const index = delta.contentBlockIndex ?? 0;
    const block = this.blocks.get(index) ?? {};
    if (typeof delta.delta?.text === 'string') block.text = (block.text ?? '') + delta.delta.text;
    if (typeof delta.delta?.toolUse?.input === 'string') {
      block.toolInput = (block.toolInput ?? '') + delta.delta.toolUse.input;
    }
    this.blocks.set(index, block);
  }
}

// ---------------------------------------------------------------------------
// Content (opt-in), in the semconv JSON shape
// ---------------------------------------------------------------------------

type Part = Record<string, unknown>;

export function converseInputMessages(input: ConverseInput): unknown[] | undefined {
  if (!Array.isArray(input?.messages)) return undefined;
  return input.messages.map((message) => ({
    role: typeof message?.role === 'string' ? message.role : 'user',
    parts: partsOf(message?.content),
  }));
}

export function converseSystemInstructions(input: ConverseInput): unknown[] | undefined {
  if (!Array.isArray(input?.system)) return undefined;
  return partsOf(input.system as ConverseContentBlock[]);
}

export function converseOutputMessages(message: ConverseMessage | undefined, stopReason: unknown): unknown[] {
  const output: Record<string, unknown> = {
    role: typeof message?.role === 'string' ? message.role : 'assistant',
    parts: partsOf(message?.content),
  };
  if (typeof stopReason === 'string') output.finish_reason = FINISH_REASON[stopReason] ?? stopReason;
  return [output];
}

function partsOf(content: unknown): Part[] {
  if (!Array.isArray(content)) return [];
  return content.map(partOf);
}

function partOf(block: ConverseContentBlock): Part {
  if (typeof block?.text === 'string') return { type: 'text', content: block.text };
  if (block?.toolUse) {
    return {
      type: 'tool_call',
      id: block.toolUse.toolUseId,
      name: block.toolUse.name,
      arguments: block.toolUse.input,
    };
  }
  if (block?.toolResult) {
    return { type: 'tool_call_response', id: block.toolResult.toolUseId, response: block.toolResult.content };
  }
  if (typeof block?.reasoningContent?.reasoningText?.text === 'string') {
    return { type: 'reasoning', content: block.reasoningContent.reasoningText.text };
  }
  // Images, documents, cache points, ...: named, never copied (they can be large and binary).
  const member = block && typeof block === 'object' ? Object.keys(block)[0] : undefined;
  return { type: member ?? 'unknown' };
}

/** A served tier as Bedrock names it, or `undefined` when it says none. */
export function servedTier(tier: unknown): string | undefined {
  return typeof tier === 'string' && tier.length > 0 ? tier : undefined;
}
