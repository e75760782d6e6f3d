import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { USAGE_SOURCE, type UsageSource } from '../ledger/index.js';
import { providerByName } from '../providers/lookup.js';
import {
  ATTR_AICOST_SERVICE_TIER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_OPERATION,
} from '../semconv.js';

/** The semconv's OpenAI-specific name for the served tier, as OpenTelemetry's OpenAI instrumentation writes it. */
const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';

/** How a span spells its token counts; selects the ledger reader. */
export type UsageDialect = 'semconv' | 'vercel-ai' | 'openinference';

/** A billable model call recognised on a span some other instrumentation created. */
export interface ForeignCall {
  source: UsageSource;
  dialect: UsageDialect;
  /** `gen_ai.provider.name` value (normalized), or the raw name when unknown to us. */
  provider: string;
  model: string;
  operation?: string;
  serverAddress?: string;
  serverPort?: number;
  /** The tier that served the call (`openai.response.service_tier`, `aicost.service_tier`). */
  serviceTier?: string;
}

/**
 * Operations (`gen_ai.operation.name`, OpenLLMetry's `llm.request.type`) that bill tokens. Agent,
 * step and tool spans (`invoke_agent`, `agent_step`, `execute_tool`...) repeat their children's
 * usage as totals. The request table's filter applies the same list
 * (@aicost/schema, aicost_model_call_span in 020_requests.sql; test/schema/model-calls.test.ts).
 */
export const MODEL_CALL_OPERATIONS: readonly string[] = [
  ...Object.values(GEN_AI_OPERATION).filter((operation) => operation !== GEN_AI_OPERATION.EXECUTE_TOOL),
  'completion',
  'embedding',
];
const BILLABLE_OPERATIONS = new Set<string>(MODEL_CALL_OPERATIONS);

/** OpenInference `openinference.span.kind` values of a model call (not AGENT, CHAIN, TOOL, RETRIEVER...). */
export const OPENINFERENCE_MODEL_CALL_KINDS: readonly string[] = ['LLM', 'EMBEDDING'];

/** Vercel AI SDK legacy spans: only the provider call (`ai.<fn>.doGenerate|doStream|doEmbed`) is a model call. */
export const VERCEL_PROVIDER_CALL = /\.do(Generate|Stream|Embed)$/;

const SEMCONV_USAGE_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.prompt_tokens',
  'gen_ai.usage.completion_tokens',
];

/**
 * Provider names as other instrumentations spell them (lower-cased, whole or up
 * to the first `.`), to `gen_ai.provider.name` values, from the provider
 * registry's aliases. Vercel AI uses `openai.chat`, `google.generative-ai`...;
 * OpenLLMetry `OpenAI`, `MistralAI`; OpenInference `openai`, `mistralai`, `vertexai`.
 */
export function normalizeProviderName(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return (providerByName(lower) ?? providerByName(lower.split('.')[0] ?? lower))?.genaiName ?? lower;
}

function str(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Which instrumentation made a semconv-named span, from its instrumentation scope. */
function sourceOfSemconvSpan(span: ReadableSpan): UsageSource {
  const scope = span.instrumentationScope.name;
  if (scope.startsWith('@aicost/')) return USAGE_SOURCE.AICOST;
  if (scope.startsWith('@traceloop/')) return USAGE_SOURCE.OPENLLMETRY;
  if (scope === 'gen_ai' || scope === 'ai' || scope.startsWith('@ai-sdk/')) return USAGE_SOURCE.VERCEL_AI;
  if (scope.startsWith('@opentelemetry/')) return USAGE_SOURCE.OPENTELEMETRY;
  // Older OpenLLMetry releases still write the deprecated names.
  if (span.attributes['gen_ai.usage.prompt_tokens'] !== undefined) return USAGE_SOURCE.OPENLLMETRY;
  // Provider SDKs that trace themselves (Anthropic, Mistral) name the scope after the SDK
  // (`com.anthropic.sdk.typescript`, `mistralai_sdk_tracer`).
  if (/^(com\.anthropic|@anthropic-ai|anthropic|@mistralai|mistral)/.test(scope)) return USAGE_SOURCE.SDK;
  return USAGE_SOURCE.OPENTELEMETRY;
}

function identifyVercelLegacy(attributes: Attributes, operationId: string): ForeignCall | undefined {
  if (!VERCEL_PROVIDER_CALL.test(operationId)) return undefined;
  const provider = str(attributes, 'ai.model.provider') ?? str(attributes, ATTR_GEN_AI_SYSTEM);
  const model =
    str(attributes, 'ai.response.model') ??
    str(attributes, ATTR_GEN_AI_RESPONSE_MODEL) ??
    str(attributes, 'ai.model.id');
  if (provider === undefined || model === undefined) return undefined;
  return {
    source: USAGE_SOURCE.VERCEL_AI,
    dialect: 'vercel-ai',
    provider: normalizeProviderName(provider),
    model,
    operation: operationId.endsWith('.doEmbed') ? GEN_AI_OPERATION.EMBEDDINGS : GEN_AI_OPERATION.CHAT,
  };
}

function identifyOpenInference(attributes: Attributes): ForeignCall | undefined {
  const kind = str(attributes, 'openinference.span.kind');
  if (kind !== undefined && !OPENINFERENCE_MODEL_CALL_KINDS.includes(kind)) return undefined;
  if (!Object.keys(attributes).some((key) => key.startsWith('llm.token_count.'))) return undefined;
  const provider = str(attributes, 'llm.provider') ?? str(attributes, 'llm.system');
  const model = str(attributes, 'llm.model_name') ?? str(attributes, 'embedding.model_name');
  if (provider === undefined || model === undefined) return undefined;
  return {
    source: USAGE_SOURCE.OPENINFERENCE,
    dialect: 'openinference',
    provider: normalizeProviderName(provider),
    model,
    operation: kind === 'EMBEDDING' ? GEN_AI_OPERATION.EMBEDDINGS : GEN_AI_OPERATION.CHAT,
  };
}

function identifySemconv(span: ReadableSpan): ForeignCall | undefined {
  const attributes = span.attributes;
  if (!SEMCONV_USAGE_KEYS.some((key) => attributes[key] !== undefined)) return undefined;
  const operation = str(attributes, ATTR_GEN_AI_OPERATION_NAME) ?? str(attributes, 'llm.request.type');
  if (operation !== undefined && !BILLABLE_OPERATIONS.has(operation)) return undefined;
  const provider = str(attributes, ATTR_GEN_AI_PROVIDER_NAME) ?? str(attributes, ATTR_GEN_AI_SYSTEM);
  const model = str(attributes, ATTR_GEN_AI_RESPONSE_MODEL) ?? str(attributes, ATTR_GEN_AI_REQUEST_MODEL);
  if (provider === undefined || model === undefined) return undefined;
  const call: ForeignCall = {
    source: sourceOfSemconvSpan(span),
    dialect: 'semconv',
    provider: normalizeProviderName(provider),
    model,
  };
  if (operation !== undefined) call.operation = operation;
  const serverAddress = str(attributes, ATTR_SERVER_ADDRESS);
  if (serverAddress !== undefined) call.serverAddress = serverAddress;
  const serverPort = attributes[ATTR_SERVER_PORT];
  if (typeof serverPort === 'number' && Number.isInteger(serverPort)) call.serverPort = serverPort;
  const serviceTier =
    str(attributes, ATTR_AICOST_SERVICE_TIER) ?? str(attributes, ATTR_OPENAI_RESPONSE_SERVICE_TIER);
  if (serviceTier !== undefined) call.serviceTier = serviceTier;
  return call;
}

/**
 * Recognises a span as ONE billable model call, whoever created it, or returns
 * `undefined`. Wrapper spans that repeat their children's usage (Vercel AI
 * `ai.generateText`, `invoke_agent`, agent steps, tool calls) are not calls:
 * pricing them would count the same tokens twice.
 */
export function identifyForeignCall(span: ReadableSpan): ForeignCall | undefined {
  const attributes = span.attributes;
  const vercelOperation = str(attributes, 'ai.operationId');
  if (vercelOperation !== undefined) return identifyVercelLegacy(attributes, vercelOperation);
  if (
    attributes['openinference.span.kind'] !== undefined ||
    attributes['llm.token_count.prompt'] !== undefined
  ) {
    return identifyOpenInference(attributes);
  }
  return identifySemconv(span);
}
