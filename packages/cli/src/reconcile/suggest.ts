/**
 * Known patterns behind a difference between the bill and the traces, said in
 * words with the amounts involved. Each suggestion names its kind so that a
 * script (`--format json`) can act on it.
 */
import { formatNanos } from '@aicost/core';
import { formatUsd } from '../report/money.js';
import type { Reconciliation, ReconciliationRow, TierRule } from './query.js';

export type SuggestionKind =
  | 'uninstrumented_project'
  | 'unmapped_project'
  | 'untraced_model'
  | 'tokens_exceed_traced'
  | 'service_tier'
  | 'batch'
  | 'priority_tier'
  | 'unpriced_spans'
  | 'unknown_billed_model'
  | 'other_currency'
  | 'credits'
  | 'price_change';

export interface Suggestion {
  kind: SuggestionKind;
  provider: string;
  /** The model or project the suggestion is about. */
  subject: string;
  /** USD (nanos) involved, when there is an amount. */
  amountUsd?: bigint;
  message: string;
}

/** Billed tokens above traced by more than this share (in percent) are worth a word. */
const TOKEN_EXCESS_PERCENT = 5n;

interface ModelTotals {
  provider: string;
  model: string;
  billedUsd: bigint;
  billedAny: boolean;
  other: Record<string, bigint>;
  credits: bigint;
  flex: bigint;
  tracedFlex: bigint;
  explainedTier: bigint;
  batch: bigint;
  priority: bigint;
  billedTokens: bigint;
  billedOutputTokens: bigint;
  tracedRequests: number;
  unpricedRequests: number;
  tracedTokens: bigint;
  tracedOutputTokens: bigint;
  tracedReasoningTokens: bigint;
  priceChange: bigint;
}

/** A provider and model over the window (a row of Reconciliation.models, summed by the engine). */
function modelTotals(r: ReconciliationRow): ModelTotals {
  return {
    provider: r.provider,
    model: r.model,
    billedUsd: r.billedUsd ?? 0n,
    billedAny: r.billedUsd !== undefined,
    other: r.billedOtherCurrencies,
    credits: r.creditsUsd,
    flex: r.flexUsd,
    tracedFlex: r.tracedFlexUsd,
    explainedTier: r.explainedTierUsd ?? 0n,
    batch: r.batchUsd,
    priority: r.priorityUsd,
    billedTokens: r.billedTokens,
    billedOutputTokens: r.billedOutputTokens,
    tracedRequests: r.tracedRequests,
    unpricedRequests: r.unpricedRequests,
    tracedTokens: r.tracedTokens,
    tracedOutputTokens: r.tracedOutputTokens,
    tracedReasoningTokens: r.tracedReasoningTokens,
    priceChange: r.explainedPriceChangeUsd ?? 0n,
  };
}

const modelName = (model: string) => (model === '' ? '(no model)' : model);

/** A factor in words: `half`, else `0.75 times`. */
const factorWords = (factor: string) => (factor === '0.5' ? 'half' : `${factor} times`);

/**
 * How the store prices a tier of a provider, in words, from its tier rules (aicost_service_tiers,
 * loaded from @aicost/core's SERVICE_TIER_RULES).
 */
function tierRuleWords(rule: TierRule | undefined): string {
  const source = rule?.source ? ` (${rule.source})` : '';
  if (rule === undefined)
    return 'which has no price rule in aicost: spans served at it are unpriced (unknown_service_tier), never costed at the standard price';
  if (rule.kind === 'committed')
    return `committed capacity in aicost's tier rules${source}: spans served at it have cost status committed, not on-demand spend`;
  if (rule.kind === 'multiplier' && rule.factor !== undefined)
    return `which aicost's tier rules price at ${factorWords(rule.factor)} the standard price${source}`;
  return 'which aicost prices at the standard price';
}

export function suggest(
  reconciliation: Pick<Reconciliation, 'models' | 'projects' | 'tierRules' | 'database'>,
): Suggestion[] {
  const { models, projects, tierRules, database } = reconciliation;
  const ruleOf = (provider: string, tier: string) =>
    tierRules.find((r) => r.provider === provider && r.tier === tier);
  const out: Suggestion[] = [];
  const usesMapping = projects.some((p) => p.service !== '');
  for (const p of projects) {
    if (p.billedUsd === undefined || p.billedUsd <= 0n) continue;
    const name = p.project || '(no project)';
    if (p.service !== '' && p.tracedRequests === 0) {
      out.push({
        kind: 'uninstrumented_project',
        provider: p.provider,
        subject: name,
        amountUsd: p.billedUsd,
        message: `traffic on project ${name} (${p.provider}, service ${p.service}) has no spans: uninstrumented service? ${formatUsd(p.billedUsd)} billed`,
      });
    } else if (p.service === '' && usesMapping) {
      out.push({
        kind: 'unmapped_project',
        provider: p.provider,
        subject: name,
        amountUsd: p.billedUsd,
        message: `project ${name} (${p.provider}) is not in the mapping file: ${formatUsd(p.billedUsd)} billed that no service accounts for`,
      });
    }
  }
  for (const t of models.map(modelTotals)) {
    const model = modelName(t.model);
    if (t.billedAny && t.billedUsd > 0n && t.tracedRequests === 0) {
      out.push({
        kind: t.model === '' ? 'unknown_billed_model' : 'untraced_model',
        provider: t.provider,
        subject: model,
        amountUsd: t.billedUsd,
        message:
          t.model === ''
            ? `${formatUsd(t.billedUsd)} billed by ${t.provider} on line items without a recognisable model (see ${database}.aicost_billing_current WHERE model = '')`
            : `${model} (${t.provider}) is billed ${formatUsd(t.billedUsd)} and has no spans: called from code aicost does not instrument?`,
      });
    }
    if (t.tracedTokens > 0n && t.billedTokens * 100n > t.tracedTokens * (100n + TOKEN_EXCESS_PERCENT)) {
      const percent = ((t.billedTokens - t.tracedTokens) * 100n + t.tracedTokens / 2n) / t.tracedTokens;
      const cause =
        t.provider === 'google' && t.tracedReasoningTokens === 0n
          ? 'thinking tokens not traced?'
          : t.billedOutputTokens > t.tracedOutputTokens
            ? 'output (reasoning) tokens missing from spans, or requests not traced?'
            : 'requests not traced, or input (cache) tokens missing from spans?';
      out.push({
        kind: 'tokens_exceed_traced',
        provider: t.provider,
        subject: model,
        message: `billed tokens exceed traced by ${percent}% for ${model} (${t.billedTokens} billed, ${t.tracedTokens} traced): ${cause}`,
      });
    }
    if (t.flex !== 0n) {
      const rule = ruleOf(t.provider, 'flex');
      // The flex bill that no span served at flex accounts for (those are costed at its rate).
      const untraced = t.flex - t.tracedFlex;
      const overstated = -t.explainedTier;
      if (rule?.kind === 'multiplier' && rule.factor !== undefined) {
        if (overstated > 0n) {
          out.push({
            kind: 'service_tier',
            provider: t.provider,
            subject: model,
            amountUsd: untraced,
            message: `${model} (${t.provider}) was billed ${formatUsd(untraced)} at the flex tier, ${factorWords(rule.factor)} the standard price the spans are costed at: the traces overstate it by ${overstated === untraced ? 'that much' : formatUsd(overstated)}${t.tracedFlex > 0n ? ` (spans that recorded no service tier; the ${formatUsd(t.tracedFlex)} of spans served at flex are costed at its rate)` : ''}`,
          });
        } else if (untraced > 0n) {
          out.push({
            kind: 'service_tier',
            provider: t.provider,
            subject: model,
            amountUsd: untraced,
            message: `${model} (${t.provider}) was billed ${formatUsd(untraced)} at the flex tier that no traced span accounts for: requests not traced?`,
          });
        }
      } else {
        out.push({
          kind: 'service_tier',
          provider: t.provider,
          subject: model,
          amountUsd: t.flex,
          message: `${model} (${t.provider}) was billed ${formatUsd(t.flex)} at the flex tier, ${tierRuleWords(rule)}`,
        });
      }
    }
    if (t.batch !== 0n) {
      out.push({
        kind: 'batch',
        provider: t.provider,
        subject: model,
        amountUsd: t.batch,
        message: `${model} (${t.provider}) was billed ${formatUsd(t.batch)} for Batch API jobs, which run outside the application and have no spans`,
      });
    }
    if (t.priority !== 0n) {
      out.push({
        kind: 'priority_tier',
        provider: t.provider,
        subject: model,
        amountUsd: t.priority,
        message: `${model} (${t.provider}) was billed ${formatUsd(t.priority)} at the priority tier, ${tierRuleWords(ruleOf(t.provider, 'priority'))}`,
      });
    }
    if (t.unpricedRequests > 0) {
      out.push({
        kind: 'unpriced_spans',
        provider: t.provider,
        subject: model,
        message: `${t.unpricedRequests} span(s) of ${model} (${t.provider}) have no price: load prices (aicost prices load) or add an override`,
      });
    }
    for (const [currency, amount] of Object.entries(t.other)) {
      out.push({
        kind: 'other_currency',
        provider: t.provider,
        subject: model,
        message: `${model} (${t.provider}): ${formatNanos(amount)} ${currency} billed is not compared with traced USD; re-import with --usd-rate ${currency}=<USD per ${currency}>`,
      });
    }
    if (t.credits !== 0n) {
      out.push({
        kind: 'credits',
        provider: t.provider,
        subject: model,
        amountUsd: t.credits,
        message: `${model} (${t.provider}): credits, refunds and other non-usage charges of ${formatUsd(t.credits)} are included in the billed amount`,
      });
    }
    if (t.priceChange !== 0n) {
      out.push({
        kind: 'price_change',
        provider: t.provider,
        subject: model,
        amountUsd: t.priceChange,
        message: `${model} (${t.provider}): at today's prices the traced requests cost ${formatUsd(t.priceChange)} more than recorded: prices changed in the period (or the app runs an older catalogue)`,
      });
    }
  }
  return out;
}
