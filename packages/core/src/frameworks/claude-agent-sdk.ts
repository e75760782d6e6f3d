import { metrics, trace } from '@opentelemetry/api';
import { createGenAIRecorder, type GenAIRecorder } from '../instrumentation/recorder.js';
import { runSafely } from '../instrumentation/safety.js';
import { CountReader, isInvalidUsage } from '../ledger/usage.js';
import { formatNanos } from '../money/nanos.js';
import { reportedCostFromNumber, reportedCostNanos } from '../pricing/reported-cost.js';
import { ATTR_GEN_AI_CONVERSATION_ID, GEN_AI_OPERATION } from '../semconv.js';
import type { InvalidUsage, LedgerResult, Nanos, ReportedCost } from '../types.js';

/** The instrumentation scope of the recorder's spans. */
export const CLAUDE_AGENT_SDK_SCOPE = '@aicost/core/claude-agent-sdk';

/** Where `aicost.cost.reported` comes from on these spans. */
export const CLAUDE_AGENT_SDK_COST_SOURCE = 'claude-agent-sdk.modelUsage.costUSD';

/** One model's totals in a Claude Agent SDK result message (`modelUsage[model]`). */
export interface ClaudeAgentModelUsageLike {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  cacheCreationEphemeral5mInputTokens?: number;
  cacheCreationEphemeral1hInputTokens?: number;
  thinkingTokens?: number;
  costUSD?: number;
}

/** The parts of a Claude Agent SDK message the recorder reads; only `type: 'result'` messages count. */
export interface ClaudeAgentMessageLike {
  type?: string;
  session_id?: string;
  modelUsage?: Record<string, ClaudeAgentModelUsageLike>;
}

interface Totals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  /** The reported cost as stated, and in nano-USD for subtraction. */
  cost: { reported: ReportedCost; nanos: Nanos } | undefined;
}

/** Sessions whose running totals are remembered; the oldest is forgotten first. */
const MAX_SESSIONS = 1000;

/**
 * Records what the Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`) reports for a
 * `query()`: its `result` messages carry, per model, the tokens and the cost (`costUSD`) of
 * every model call the agent made. The calls themselves run in the Claude Code process,
 * out of reach of the application's instrumentations, so this report is the only record:
 * each model of each result becomes one `chat {model}` span with that usage and the SDK's
 * cost as reported cost (`aicost.cost.reported`, status `provider_reported`), attributed from
 * the context `record()` runs in (`withAttribution`), like any call.
 *
 * The totals are cumulative over a session (a streaming-input session sends one result per
 * turn, each with the running total): the recorder remembers each session's last totals and
 * records only what was added since, so no call is counted twice.
 */
export class ClaudeAgentCostRecorder {
  private recorder: GenAIRecorder | undefined;
  private readonly sessions = new Map<string, Map<string, Totals>>();

  /** Hand it every message of a `query()` (or only its results); returns the message unchanged. */
  record<T>(message: T): T {
    runSafely('ClaudeAgentCostRecorder.record', () => this.recordResult(message as ClaudeAgentMessageLike));
    return message;
  }

  private recordResult(message: ClaudeAgentMessageLike): void {
    if (message?.type !== 'result' || typeof message.modelUsage !== 'object' || message.modelUsage === null)
      return;
    const sessionId = typeof message.session_id === 'string' ? message.session_id : undefined;
    const previous = (sessionId !== undefined && this.sessions.get(sessionId)) || new Map<string, Totals>();
    const current = new Map<string, Totals>();
    for (const [model, usage] of Object.entries(message.modelUsage)) {
      const totals = totalsOf(usage);
      if (totals === undefined) continue;
      if (isInvalidUsage(totals)) {
        // Recorded, unpriced (invalid_usage), so the run is not lost; its running total is not kept.
        this.recordModel(model, totals, sessionId);
        continue;
      }
      current.set(model, totals);
      const added = subtract(totals, previous.get(model));
      if (added !== undefined) this.recordModel(model, added, sessionId);
    }
    if (sessionId !== undefined) {
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, current);
      if (this.sessions.size > MAX_SESSIONS)
        this.sessions.delete(this.sessions.keys().next().value as string);
    }
  }

  private recordModel(model: string, added: Totals | InvalidUsage, sessionId: string | undefined): void {
    this.recorder ??= createGenAIRecorder({
      tracer: trace.getTracer(CLAUDE_AGENT_SDK_SCOPE),
      meter: metrics.getMeter(CLAUDE_AGENT_SDK_SCOPE),
      instrumentationName: CLAUDE_AGENT_SDK_SCOPE,
      captureContent: false,
    });
    const call = this.recorder.start({
      provider: 'anthropic',
      operation: GEN_AI_OPERATION.CHAT,
      requestModel: model,
      requestAttributes: sessionId === undefined ? {} : { [ATTR_GEN_AI_CONVERSATION_ID]: sessionId },
    });
    call.setResponse({ responseModel: model });
    if (isInvalidUsage(added)) call.setUsage(added);
    else
      call.setUsage(
        ledgerOf(added),
        added.cost === undefined ? undefined : { reportedCost: added.cost.reported },
      );
    call.end();
  }
}

function totalsOf(usage: ClaudeAgentModelUsageLike): Totals | InvalidUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const reader = new CountReader();
  const count = (field: keyof ClaudeAgentModelUsageLike) =>
    reader.count(usage[field], field, 'modelUsage.') ?? 0;
  const totals: Totals = {
    inputTokens: count('inputTokens'),
    outputTokens: count('outputTokens'),
    cacheReadTokens: count('cacheReadInputTokens'),
    cacheWriteTokens: count('cacheCreationInputTokens'),
    cacheWrite5mTokens: count('cacheCreationEphemeral5mInputTokens'),
    cacheWrite1hTokens: count('cacheCreationEphemeral1hInputTokens'),
    reasoningTokens: count('thinkingTokens'),
    cost: undefined,
  };
  if (reader.invalid) return reader.invalid;
  const reported = reportedCostFromNumber(usage.costUSD, CLAUDE_AGENT_SDK_COST_SOURCE);
  const nanos = reported === undefined ? undefined : reportedCostNanos(reported);
  if (reported !== undefined && nanos !== undefined) totals.cost = { reported, nanos };
  return totals;
}

/** What `current` adds to `previous` (the same session's last result); `undefined` when nothing. */
function subtract(current: Totals, previous: Totals | undefined): Totals | undefined {
  if (previous === undefined) return current;
  const minus = (field: Exclude<keyof Totals, 'cost'>) => Math.max(0, current[field] - previous[field]);
  const added: Totals = {
    inputTokens: minus('inputTokens'),
    outputTokens: minus('outputTokens'),
    cacheReadTokens: minus('cacheReadTokens'),
    cacheWriteTokens: minus('cacheWriteTokens'),
    cacheWrite5mTokens: minus('cacheWrite5mTokens'),
    cacheWrite1hTokens: minus('cacheWrite1hTokens'),
    reasoningTokens: minus('reasoningTokens'),
    cost: undefined,
  };
  if (current.cost !== undefined) {
    // Exact: the difference of two stated amounts, in nano-USD, never a float subtraction.
    const nanos = current.cost.nanos - (previous.cost?.nanos ?? 0n);
    const positive = nanos > 0n ? nanos : 0n;
    added.cost = {
      reported: { amount: formatNanos(positive), source: CLAUDE_AGENT_SDK_COST_SOURCE },
      nanos: positive,
    };
  }
  const anything =
    added.inputTokens + added.outputTokens + added.cacheReadTokens + added.cacheWriteTokens > 0 ||
    (added.cost?.nanos ?? 0n) > 0n;
  return anything ? added : undefined;
}

/**
 * The ledger of Anthropic-style totals: the SDK's `inputTokens` leave out the cache tokens
 * (as the Messages API's `input_tokens` does) and the ledger's input includes them;
 * thinking tokens are already inside `outputTokens`.
 */
function ledgerOf(totals: Totals): LedgerResult {
  const reader = new CountReader();
  const parts = {
    inputTokens: totals.inputTokens + totals.cacheReadTokens + totals.cacheWriteTokens,
    outputTokens: totals.outputTokens,
    cacheReadTokens: totals.cacheReadTokens,
    cacheWriteTokens: totals.cacheWriteTokens,
    reasoningTokens: totals.reasoningTokens,
    ...(totals.cacheWrite5mTokens > 0 ? { cacheWrite5mTokens: totals.cacheWrite5mTokens } : {}),
    ...(totals.cacheWrite1hTokens > 0 ? { cacheWrite1hTokens: totals.cacheWrite1hTokens } : {}),
  };
  return reader.finish(parts);
}
