/**
 * The attribute and metric vocabulary of aicost.
 *
 * OpenTelemetry GenAI semantic-convention names are used wherever the standard
 * has one. What the standard lacks (cost, price provenance, attribution) lives in
 * one project namespace, `aicost.*`, so it can be mapped to a future standard in
 * this one file. The ClickHouse schema in `packages/schema/sql/` reads exactly these
 * names: change both together.
 *
 * Token conventions (as in the semconv): `gen_ai.usage.input_tokens` INCLUDES
 * cache-read and cache-write tokens; `gen_ai.usage.output_tokens` INCLUDES
 * reasoning tokens.
 */

import { PROVIDER_REGISTRY, type RegisteredProvider } from './providers/registry.js';

// ---------------------------------------------------------------------------
// OpenTelemetry GenAI semantic conventions
// ---------------------------------------------------------------------------
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/** Opt-in content attributes (JSON strings), recorded only when content capture is enabled. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
/** Deprecated predecessor of `gen_ai.provider.name`, still emitted by older instrumentations; read, never written. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';

export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVICE_NAME = 'service.name';
/** The release of the service (resource): what `aicost report --by release` and the economics views compare. */
export const ATTR_SERVICE_VERSION = 'service.version';
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

/** `gen_ai.operation.name` values. */
export const GEN_AI_OPERATION = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  GENERATE_CONTENT: 'generate_content',
  EMBEDDINGS: 'embeddings',
  EXECUTE_TOOL: 'execute_tool',
  /** Not (yet) in the semconv: billable calls the standard has no operation for. */
  IMAGE_GENERATION: 'image_generation',
  AUDIO_TRANSCRIPTION: 'audio_transcription',
  AUDIO_SPEECH: 'audio_speech',
} as const;
export type GenAIOperation = (typeof GEN_AI_OPERATION)[keyof typeof GEN_AI_OPERATION];

/**
 * `gen_ai.provider.name` values, from the provider registry
 * (`providers/registry.ts`): the semconv's where it has one, the lower-case
 * names users know otherwise. `SELF_HOSTED` covers vLLM, LM Studio and other
 * models the user hosts (and OpenAI-compatible clients of a local server);
 * `OLLAMA` is the Ollama SDK's. Both are priced by the user's rate.
 */
export const GEN_AI_PROVIDER = Object.freeze(
  Object.fromEntries(PROVIDER_REGISTRY.map((record) => [record.key, record.genaiName])),
) as { readonly [P in RegisteredProvider as P['key']]: P['genaiName'] };

/** `gen_ai.token.type` values on `gen_ai.client.token.usage`. */
export const GEN_AI_TOKEN_TYPE = { INPUT: 'input', OUTPUT: 'output' } as const;

// ---------------------------------------------------------------------------
// aicost namespace: what the standard lacks
// ---------------------------------------------------------------------------

/**
 * Cost attributes. Amounts are decimal strings in the currency, with exactly 9
 * fractional digits (nano-units), e.g. `"0.000412500"`: exact in every backend,
 * parsed by ClickHouse with `toDecimal128OrNull(value, 9)`.
 * Absent when `aicost.cost.status` is `unpriced`: an unknown cost is never 0.
 */
export const ATTR_AICOST_COST_TOTAL = 'aicost.cost.total';
/** Non-cached input tokens. */
export const ATTR_AICOST_COST_INPUT = 'aicost.cost.input';
export const ATTR_AICOST_COST_CACHE_READ = 'aicost.cost.cache_read';
export const ATTR_AICOST_COST_CACHE_WRITE = 'aicost.cost.cache_write';
/** Output tokens, reasoning included (reasoning is billed as output). */
export const ATTR_AICOST_COST_OUTPUT = 'aicost.cost.output';
/** Everything else: audio, image, per-request fees, self-hosted time. */
export const ATTR_AICOST_COST_OTHER = 'aicost.cost.other';
export const ATTR_AICOST_COST_CURRENCY = 'aicost.cost.currency';
/** One of {@link COST_STATUS}. */
export const ATTR_AICOST_COST_STATUS = 'aicost.cost.status';
/** Why a cost is missing or estimated, one of {@link COST_STATUS_REASON}. */
export const ATTR_AICOST_COST_STATUS_REASON = 'aicost.cost.status_reason';
/** Where the price came from: `genai-prices`, `override`, `self_hosted`, `provider`. */
export const ATTR_AICOST_PRICE_SOURCE = 'aicost.price.source';
/** Version of the price data, e.g. `genai-prices@0.1.8`, or the override file's version. */
export const ATTR_AICOST_PRICE_VERSION = 'aicost.price.version';
/** Catalogue ids of the provider and model the price was found under. */
export const ATTR_AICOST_PRICE_PROVIDER_ID = 'aicost.price.provider_id';
export const ATTR_AICOST_PRICE_MODEL_ID = 'aicost.price.model_id';
/** How the price was matched to the call, one of {@link PRICE_MATCH}. */
export const ATTR_AICOST_PRICE_MATCH = 'aicost.price.match';
/**
 * What the provider or gateway stated it billed for the call (OpenRouter `usage.cost`, the
 * LiteLLM proxy's `x-litellm-response-cost` header), as the exact decimal it sent, in USD
 * (not rounded to 9 places). Written beside the cost aicost computes.
 */
export const ATTR_AICOST_COST_REPORTED = 'aicost.cost.reported';
/** Where {@link ATTR_AICOST_COST_REPORTED} was read: `openrouter.usage.cost`, `header.x-litellm-response-cost`. */
export const ATTR_AICOST_COST_REPORTED_SOURCE = 'aicost.cost.reported_source';
/**
 * With a reported cost: the total aicost computes from the list price (9 fractional digits), for
 * comparing with what was billed. Absent when aicost cannot price the call itself.
 */
export const ATTR_AICOST_COST_COMPUTED = 'aicost.cost.computed';
/**
 * The service tier that SERVED the call, as the provider's response spells it (OpenAI
 * `service_tier`: `default`, `flex`, `priority`, `scale`; Anthropic `usage.service_tier`:
 * `standard`, `priority`, `batch`). Absent when the response does not say.
 */
export const ATTR_AICOST_SERVICE_TIER = 'aicost.service_tier';

/** Token kinds the semconv has no name for. */
export const ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS = 'aicost.usage.cache_creation_5m.input_tokens';
export const ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS = 'aicost.usage.cache_creation_1h.input_tokens';
export const ATTR_AICOST_USAGE_AUDIO_INPUT_TOKENS = 'aicost.usage.audio.input_tokens';
export const ATTR_AICOST_USAGE_AUDIO_OUTPUT_TOKENS = 'aicost.usage.audio.output_tokens';
export const ATTR_AICOST_USAGE_IMAGE_INPUT_TOKENS = 'aicost.usage.image.input_tokens';
export const ATTR_AICOST_USAGE_IMAGE_OUTPUT_TOKENS = 'aicost.usage.image.output_tokens';
/** Billable request units (1 per call; images generated; seconds of audio, per the catalogue's unit). */
export const ATTR_AICOST_USAGE_REQUESTS = 'aicost.usage.requests';

/** Whether the call streamed its response. */
export const ATTR_AICOST_REQUEST_STREAM = 'aicost.request.stream';
/** Seconds from the request to the first streamed chunk. */
export const ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK = 'aicost.response.time_to_first_chunk';
/** Which instrumentation produced the usage on this span: `aicost`, `opentelemetry`, `openllmetry`, `openinference`, `vercel-ai`, `sdk`. */
export const ATTR_AICOST_USAGE_SOURCE = 'aicost.usage.source';

/** Attribution: the standard keys, as span attributes and as W3C baggage keys. */
export const ATTR_AICOST_FEATURE = 'aicost.feature';
export const ATTR_AICOST_CUSTOMER = 'aicost.customer';
export const ATTR_AICOST_WORKFLOW = 'aicost.workflow';
export const ATTR_AICOST_TEAM = 'aicost.team';
/** The customer's segment (`enterprise`, `smb`, ...), for margin by segment. */
export const ATTR_AICOST_SEGMENT = 'aicost.segment';

/**
 * Business outcomes (`recordOutcome`): one short span named
 * {@link SPAN_NAME_AICOST_OUTCOME} per outcome, in the trace where it happened.
 */
export const SPAN_NAME_AICOST_OUTCOME = 'aicost.outcome';
/** What happened, e.g. `ticket_resolved`. */
export const ATTR_AICOST_OUTCOME_NAME = 'aicost.outcome.name';
/** What it is worth, a decimal string with exactly 9 fractional digits (like the cost attributes). */
export const ATTR_AICOST_OUTCOME_VALUE = 'aicost.outcome.value';
/** ISO 4217 code of the value. */
export const ATTR_AICOST_OUTCOME_CURRENCY = 'aicost.outcome.currency';
/** Prefix of user-defined attribution keys: `{ region: 'eu' }` becomes `aicost.attr.region`. */
export const AICOST_CUSTOM_ATTRIBUTION_PREFIX = 'aicost.attr.';

export const COST_STATUS = {
  /** Priced from the catalogue at the request's timestamp. */
  PRICED: 'priced',
  /** No cost: unknown model or provider, or usage missing. The cost attributes are absent. */
  UNPRICED: 'unpriced',
  /** Priced from incomplete usage or a fallback rule (e.g. a self-hosted throughput rate). */
  ESTIMATED: 'estimated',
  /** The provider reported the cost itself (e.g. OpenRouter `usage.cost`). */
  PROVIDER_REPORTED: 'provider_reported',
  /** Priced from a user override (custom price or negotiated discount). */
  OVERRIDE: 'override',
  /**
   * Served from capacity paid for in advance (OpenAI Scale Tier, Anthropic Priority Tier,
   * Vertex AI provisioned throughput): not on-demand spend. No cost attribute; allocate the
   * commitment with a self-hosted/committed rate if wanted.
   */
  COMMITTED: 'committed',
} as const;
export type CostStatus = (typeof COST_STATUS)[keyof typeof COST_STATUS];

export const COST_STATUS_REASON = {
  UNKNOWN_MODEL: 'unknown_model',
  UNKNOWN_PROVIDER: 'unknown_provider',
  MISSING_USAGE: 'missing_usage',
  INVALID_USAGE: 'invalid_usage',
  SELF_HOSTED_NO_RATE: 'self_hosted_no_rate',
  /** The provider bills this call in a unit the token ledger cannot carry (e.g. seconds of audio for whisper-1). */
  UNSUPPORTED_UNIT: 'unsupported_unit',
  /** With status `estimated`: a self-hosted GPU-hour rate spread over throughput or request duration. */
  SELF_HOSTED_ESTIMATE: 'self_hosted_estimate',
  /**
   * With status `estimated`: the stream was abandoned, aborted or broke before
   * its end; the cost is priced from the usage seen so far, a lower bound.
   */
  PARTIAL_STREAM: 'partial_stream',
  /**
   * Set by the schema (packages/schema/sql/016_cost_trust.sql), never by the SDK: the span carried a
   * cost the request table refused (negative, not USD, on an unpriced span, or far from the
   * catalogue's price for the same usage); the request is re-priced from the catalogue or left
   * unpriced.
   */
  INVALID_COST: 'invalid_cost',
  /** The response names a service tier that no reviewed tier rule prices (`pricing/service-tiers.ts`). */
  UNKNOWN_SERVICE_TIER: 'unknown_service_tier',
} as const;
export type CostStatusReason = (typeof COST_STATUS_REASON)[keyof typeof COST_STATUS_REASON];

export const PRICE_SOURCE = {
  CATALOGUE: 'genai-prices',
  OVERRIDE: 'override',
  SELF_HOSTED: 'self_hosted',
  PROVIDER: 'provider',
} as const;
export type PriceSource = (typeof PRICE_SOURCE)[keyof typeof PRICE_SOURCE];

/** `aicost.price.match` values: how the call was matched to a price (see `providers/routing.ts`). */
export const PRICE_MATCH = {
  /** The server is a provider's known API host (the registry, or the catalogue's API pattern). */
  HOST: 'host',
  /** The user mapped the server to a provider (`register({ hosts })`, `AICOST_HOSTS`). */
  USER_HOST_MAPPING: 'user_host_mapping',
  /** The span's provider name decided (no server, or an SDK that speaks one provider's protocol). */
  PROVIDER_NAME: 'provider_name',
  /** Unknown host: the model id is a catalogue model of one provider (`gpt-4o-mini`). */
  MODEL_ID: 'model_id',
  /** Unknown host: a gateway-prefixed model id (`openai/gpt-4.1`, `anthropic/claude-sonnet-4-5`). */
  MODEL_ID_PREFIXED: 'model_id_prefixed',
  /** Unknown host: an open-weight model many hosts serve (Llama, Qwen, gpt-oss...): self-hosted. */
  OPEN_WEIGHT: 'open_weight',
  /** Unknown host: a model the catalogue does not know: self-hosted. */
  UNKNOWN_MODEL: 'unknown_model',
  /** Priced by the user's self-hosted rate. */
  SELF_HOSTED_RATE: 'self_hosted_rate',
} as const;
export type PriceMatch = (typeof PRICE_MATCH)[keyof typeof PRICE_MATCH];

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------
/** Histogram, unit `{token}`, with `gen_ai.token.type`. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** Histogram, unit `s`. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
/** Histogram, unit `s`: time to the first streamed chunk. */
export const METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/** Counter, unit `USD`, by provider, model, operation, feature (customer opt-in, bounded). */
export const METRIC_AICOST_COST = 'aicost.cost';
/** Counter, unit `{request}`, of calls with no cost (`aicost.cost.status_reason` attribute). */
export const METRIC_AICOST_UNPRICED_REQUESTS = 'aicost.unpriced.requests';

/** Environment variables of our own (the `OTEL_*` ones keep their standard meaning). */
export const ENV = {
  /** Path to a JSON or YAML file of price overrides and self-hosted rates. */
  PRICES_FILE: 'AICOST_PRICES_FILE',
  /** Comma-separated attribution keys allowed to leave the process in baggage (default: the standard keys). */
  BAGGAGE_ALLOWLIST: 'AICOST_BAGGAGE_ALLOWLIST',
  /** `true` (or `1`/`yes`/`on`) to put customer ids on metrics (bounded, see AICOST_METRICS_CUSTOMER_LIMIT). */
  METRICS_CUSTOMER: 'AICOST_METRICS_CUSTOMER',
  /** The first N distinct customers seen keep their metric label (not a top-N by spend); later ones become `other`. Default 100. */
  METRICS_CUSTOMER_LIMIT: 'AICOST_METRICS_CUSTOMER_LIMIT',
  /** The same bound for every other metric label whose values come from the application or its callers (feature, request and response model). Default 100. */
  METRICS_LABEL_LIMIT: 'AICOST_METRICS_LABEL_LIMIT',
  /**
   * `false` on services that receive requests from outside your trust boundary: attribution
   * keys in incoming baggage are then ignored (see @aicost/core README, "Attribution you can
   * trust"). Default `true`: services behind your edge take the attribution their callers set.
   */
  TRUST_INBOUND_ATTRIBUTION: 'AICOST_TRUST_INBOUND_ATTRIBUTION',
  /** `true` to record prompt and completion content (semconv opt-in attributes). */
  CAPTURE_CONTENT: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
  /**
   * Whether to add `stream_options.include_usage` to streamed OpenAI chat requests (and hide the
   * extra usage chunk from the application). Default: on for hosts the provider registry says
   * accept it (OpenAI, Azure OpenAI), off elsewhere; `false` turns it off everywhere, `true` on.
   */
  OPENAI_STREAM_USAGE: 'AICOST_OPENAI_STREAM_USAGE',
  /** Who serves a host: `llm-gw.internal=openai,vllm.internal:8000=self_hosted` (see `register({ hosts })`). */
  HOSTS: 'AICOST_HOSTS',
  /** `false` to disable aicost entirely (spans and metrics still flow from other instrumentations). */
  ENABLED: 'AICOST_ENABLED',
  /** Comma-separated instrumentation names to skip (`openai,anthropic`). */
  DISABLED_INSTRUMENTATIONS: 'AICOST_DISABLED_INSTRUMENTATIONS',
} as const;

/**
 * Whether the request streamed, as SDKs that trace themselves write it (the GenAI name). The
 * request table reads `aicost.request.stream` first and falls back to this one.
 */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
