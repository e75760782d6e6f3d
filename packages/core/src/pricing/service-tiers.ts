/**
 * Service-tier rules as reviewed data: how the tier that SERVED a call changes its price.
 * The catalogue (`@pydantic/genai-prices`) has list prices for the standard tier only.
 *
 * Keyed by catalogue provider id, then by the tier value exactly as the provider's response
 * spells it. A tier without a rule is never priced at the standard price: the call is
 * `unpriced` / `unknown_service_tier`. A rule is added only with the published source it was
 * checked against and the date; a tier whose price could not be verified (OpenAI `priority`
 * is priced per model; Gemini `priority` is published as a range, "75% to 100% more") is left
 * out on purpose.
 *
 * Kinds:
 * - `standard`: the catalogue price;
 * - `multiplier`: every price line (input, cache, output, requests) times `factor`, each
 *   rounded like any price;
 * - `committed`: capacity bought in advance; not on-demand spend (`aicost.cost.status = committed`).
 */
export type ServiceTierRule =
  | { readonly kind: 'standard' }
  | {
      readonly kind: 'multiplier';
      readonly factor: string;
      readonly source: string;
      readonly checked: string;
    }
  | { readonly kind: 'committed'; readonly source: string; readonly checked: string };

/** Written into `aicost.price.version` when a non-standard rule priced the call. */
export const SERVICE_TIER_RULES_VERSION = 'service-tiers@2026-12-07';

const STANDARD: ServiceTierRule = { kind: 'standard' };

export const SERVICE_TIER_RULES: Readonly<Record<string, Readonly<Record<string, ServiceTierRule>>>> = {
  openai: {
    default: STANDARD,
    // "Tokens are priced at Batch API rates"; the Batch API is 50% off the synchronous price.
    flex: {
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://developers.openai.com/api/docs/guides/flex-processing',
      checked: '2026-12-07',
    },
    // Scale Tier: throughput bought in advance for a model (now "Reserved Tier").
    scale: { kind: 'committed', source: 'https://openai.com/api-reserved-tier/', checked: '2026-12-07' },
  },
  azure: {
    default: STANDARD,
    flex: {
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://learn.microsoft.com/azure/foundry/openai/how-to/flex-processing',
      checked: '2026-12-07',
    },
  },
  anthropic: {
    standard: STANDARD,
    batch: {
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://platform.claude.com/docs/en/build-with-claude/batch-processing',
      checked: '2026-12-07',
    },
    // Priority Tier is served from an organisation's capacity commitment.
    priority: {
      kind: 'committed',
      source: 'https://platform.claude.com/docs/en/api/service-tiers',
      checked: '2026-12-07',
    },
  },
  aws: {
    // Reserved tier: prioritized capacity reserved in advance. (Flex is "discounted" and priority
    // "standard rate + premium" without published figures: left without a rule.)
    reserved: {
      kind: 'committed',
      source: 'https://aws.amazon.com/bedrock/service-tiers',
      checked: '2026-12-07',
    },
  },
  groq: {
    on_demand: STANDARD,
    // "Pricing matches the on-demand tier."
    flex: {
      kind: 'multiplier',
      factor: '1',
      source: 'https://console.groq.com/docs/flex-processing',
      checked: '2026-12-07',
    },
  },
  google: {
    standard: STANDARD,
    flex: {
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://ai.google.dev/gemini-api/docs/optimization',
      checked: '2026-12-07',
    },
    batch: {
      kind: 'multiplier',
      factor: '0.5',
      source: 'https://ai.google.dev/gemini-api/docs/optimization',
      checked: '2026-12-07',
    },
    // Vertex AI `usageMetadata.trafficType`.
    ON_DEMAND: STANDARD,
    PROVISIONED_THROUGHPUT: {
      kind: 'committed',
      source: 'https://docs.cloud.google.com/vertex-ai/generative-ai/docs/deploy/consumption-options',
      checked: '2026-12-07',
    },
  },
};

/**
 * The rule for a served tier: `standard` when the response named none, `undefined` when it
 * named one no reviewed rule covers.
 */
export function serviceTierRule(
  catalogueProviderId: string,
  tier: string | undefined,
): ServiceTierRule | undefined {
  if (tier === undefined || tier === '') return STANDARD;
  const rule = SERVICE_TIER_RULES[catalogueProviderId]?.[tier];
  if (rule) return rule;
  // A gateway answers in its own wire format (an OpenAI-compatible proxy in front of Claude says
  // `default`): the names of the standard tier mean standard whoever's model it is.
  return STANDARD_TIER_NAMES.has(tier) ? STANDARD : undefined;
}

/** Names of the standard tier in every provider's vocabulary. */
export const STANDARD_TIER_NAMES: ReadonlySet<string> = new Set([
  'default',
  'standard',
  'on_demand',
  'ON_DEMAND',
]);
