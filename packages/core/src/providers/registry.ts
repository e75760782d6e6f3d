/**
 * The provider registry: everything aicost knows about who serves a GenAI call,
 * kept as reviewed data in one table (the model is genai-prices'
 * `prices/providers/*.yml`). The code that needs provider knowledge reads it:
 * `gen_ai.provider.name` values (`semconv.ts`), host recognition
 * (`instrumentation/provider.ts`), catalogue ids (`pricing/catalogue.ts`),
 * other instrumentations' spellings (`processors/foreign-calls.ts`), the
 * instrumentation packages `@aicost/node` loads, and host/model routing
 * (`providers/routing.ts`), whose data is exported for SQL by
 * `exportRoutingData()`.
 *
 * Adding a provider is adding a row; `test/providers/registry.test.ts` checks
 * the table is consistent (catalogue ids exist, no host claimed twice, no
 * alias shared, instrumentations load).
 *
 * This module imports nothing: it is data.
 */

/** How a streamed chat completion reports its usage on this host. */
export type StreamUsageSupport =
  /** Only when asked with `stream_options: { include_usage: true }` (documented): aicost asks by default. */
  | 'on_request'
  /** In the stream's last event whatever the request says (Anthropic, Gemini, Bedrock...). */
  | 'always'
  /** Not documented: aicost does not add a field the host might reject. */
  | 'unknown';

/** Where a gateway states what it billed for a call. */
export type ReportedCostSource =
  | { in: 'body'; field: 'usage.cost'; source: string }
  | { in: 'header'; header: string; source: string };

export interface ProviderRecord {
  /** `GEN_AI_PROVIDER` key for this provider (`OPENAI`). */
  readonly key: string;
  /** `gen_ai.provider.name`: the semconv value where it has one, else the lower-case name users know. */
  readonly genaiName: string;
  /** `provider`: bills for what it serves; `gateway`: routes to others; `self_hosted`: the user's own servers. */
  readonly kind: 'provider' | 'gateway' | 'self_hosted';
  /** Other spellings of the provider on spans (`gen_ai.system`, Vercel AI `ai.model.provider`, OpenInference `llm.provider`...), lower case. */
  readonly aliases: readonly string[];
  /** Provider id in `@pydantic/genai-prices`; absent when the catalogue has no prices for it. */
  readonly catalogueId?: string;
  /** API hosts, exact (lower case); the first is where the provider's SDK sends requests by default. */
  readonly hosts: readonly string[];
  /** Per-resource hosts, by suffix (`.openai.azure.com`). */
  readonly hostSuffixes?: readonly string[];
  /** Per-region hosts, as anchored RE2-compatible patterns (so SQL can `match()` them too). */
  readonly hostPatterns?: readonly string[];
  /** Ports local inference servers listen on by default (self-hosted only). */
  readonly ports?: readonly string[];
  /** The `vendor/` prefix gateways put before this provider's model ids (`openai/gpt-4.1`). */
  readonly modelPrefixes?: readonly string[];
  /** npm packages that call this provider. */
  readonly sdkPackages: readonly string[];
  /** The aicost instrumentation package for its SDK, as `@aicost/node` loads it. */
  readonly instrumentation?: {
    readonly name: string;
    readonly packageName: string;
    readonly exportName: string;
    /** The SDK packages it patches: `@aicost/node` loads it only when the application can resolve one. */
    readonly patches: readonly string[];
  };
  /** Whether its SDK makes OpenTelemetry GenAI spans itself once a tracer provider is registered. */
  readonly sdkTracesItself: boolean;
  readonly streamUsage: StreamUsageSupport;
  /** Where the response states the billed cost (gateways). */
  readonly reportedCost?: ReportedCostSource;
  /** Where the hosts and behaviour above were checked. */
  readonly docs: string;
}

export const PROVIDER_REGISTRY = [
  {
    key: 'OPENAI',
    genaiName: 'openai',
    kind: 'provider',
    aliases: [],
    catalogueId: 'openai',
    hosts: ['api.openai.com'],
    modelPrefixes: ['openai'],
    sdkPackages: ['openai', '@ai-sdk/openai'],
    instrumentation: {
      name: 'openai',
      packageName: '@aicost/instrumentation-openai',
      exportName: 'OpenAIInstrumentation',
      patches: ['openai'],
    },
    sdkTracesItself: false,
    streamUsage: 'on_request',
    docs: 'https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options',
  },
  {
    key: 'AZURE_OPENAI',
    genaiName: 'azure.ai.openai',
    kind: 'provider',
    aliases: ['azure', 'azure-openai', 'az.ai.openai', 'azure.ai.inference', 'az.ai.inference'],
    catalogueId: 'azure',
    hosts: [],
    hostSuffixes: ['.openai.azure.com', '.cognitiveservices.azure.com', '.services.ai.azure.com'],
    sdkPackages: ['openai', '@azure/openai', '@ai-sdk/azure'],
    sdkTracesItself: false,
    streamUsage: 'on_request',
    docs: 'https://learn.microsoft.com/azure/ai-foundry/openai/reference#chat-completions',
  },
  {
    key: 'ANTHROPIC',
    genaiName: 'anthropic',
    kind: 'provider',
    aliases: [],
    catalogueId: 'anthropic',
    hosts: ['api.anthropic.com'],
    modelPrefixes: ['anthropic'],
    sdkPackages: ['@anthropic-ai/sdk', '@ai-sdk/anthropic'],
    instrumentation: {
      name: 'anthropic',
      packageName: '@aicost/instrumentation-anthropic',
      exportName: 'AnthropicInstrumentation',
      patches: ['@anthropic-ai/sdk'],
    },
    sdkTracesItself: true,
    streamUsage: 'always',
    docs: 'https://docs.anthropic.com/en/api/messages-streaming',
  },
  {
    key: 'GCP_GEMINI',
    genaiName: 'gcp.gemini',
    kind: 'provider',
    aliases: ['google', 'gemini', 'google-genai', 'gcp.gen_ai'],
    catalogueId: 'google',
    hosts: ['generativelanguage.googleapis.com'],
    modelPrefixes: ['google'],
    sdkPackages: ['@google/genai', '@google/generative-ai', '@ai-sdk/google'],
    instrumentation: {
      name: 'google-genai',
      packageName: '@aicost/instrumentation-google-genai',
      exportName: 'GoogleGenAIInstrumentation',
      patches: ['@google/genai', '@google/generative-ai'],
    },
    sdkTracesItself: false,
    streamUsage: 'always',
    docs: 'https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse',
  },
  {
    key: 'GCP_VERTEX_AI',
    genaiName: 'gcp.vertex_ai',
    kind: 'provider',
    aliases: ['vertex', 'vertexai', 'vertex ai', 'vertex_ai', 'google-vertex'],
    catalogueId: 'google',
    hosts: ['aiplatform.googleapis.com'],
    hostSuffixes: ['-aiplatform.googleapis.com'],
    sdkPackages: ['@google/genai', '@google-cloud/vertexai', '@ai-sdk/google-vertex'],
    sdkTracesItself: false,
    streamUsage: 'always',
    docs: 'https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/GenerateContentResponse',
  },
  {
    key: 'AWS_BEDROCK',
    genaiName: 'aws.bedrock',
    kind: 'provider',
    aliases: ['aws', 'bedrock', 'amazon-bedrock'],
    catalogueId: 'aws',
    hosts: [],
    hostPatterns: ['^bedrock-runtime(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com$'],
    sdkPackages: ['@aws-sdk/client-bedrock-runtime', '@ai-sdk/amazon-bedrock'],
    instrumentation: {
      name: 'bedrock',
      packageName: '@aicost/instrumentation-bedrock',
      exportName: 'BedrockInstrumentation',
      patches: ['@aws-sdk/client-bedrock-runtime'],
    },
    sdkTracesItself: false,
    streamUsage: 'always',
    docs: 'https://docs.aws.amazon.com/general/latest/gr/bedrock.html',
  },
  {
    key: 'MISTRAL_AI',
    genaiName: 'mistral_ai',
    kind: 'provider',
    aliases: ['mistral', 'mistralai'],
    catalogueId: 'mistral',
    hosts: ['api.mistral.ai'],
    modelPrefixes: ['mistralai'],
    sdkPackages: ['@mistralai/mistralai', '@ai-sdk/mistral'],
    instrumentation: {
      name: 'mistral',
      packageName: '@aicost/instrumentation-mistral',
      exportName: 'MistralInstrumentation',
      patches: ['@mistralai/mistralai'],
    },
    sdkTracesItself: true,
    streamUsage: 'always',
    docs: 'https://docs.mistral.ai/api/#tag/chat',
  },
  {
    key: 'COHERE',
    genaiName: 'cohere',
    kind: 'provider',
    aliases: [],
    catalogueId: 'cohere',
    hosts: ['api.cohere.com', 'api.cohere.ai'],
    modelPrefixes: ['cohere'],
    sdkPackages: ['cohere-ai', '@ai-sdk/cohere'],
    instrumentation: {
      name: 'cohere',
      packageName: '@aicost/instrumentation-cohere',
      exportName: 'CohereInstrumentation',
      patches: ['cohere-ai'],
    },
    sdkTracesItself: false,
    streamUsage: 'always',
    docs: 'https://docs.cohere.com/reference/chat-stream',
  },
  {
    key: 'GROQ',
    genaiName: 'groq',
    kind: 'provider',
    aliases: [],
    catalogueId: 'groq',
    hosts: ['api.groq.com'],
    sdkPackages: ['groq-sdk', '@ai-sdk/groq'],
    instrumentation: {
      name: 'groq',
      packageName: '@aicost/instrumentation-groq',
      exportName: 'GroqInstrumentation',
      patches: ['groq-sdk'],
    },
    sdkTracesItself: false,
    // The last chunk of a stream carries `x_groq.usage`; the API takes no `stream_options`.
    streamUsage: 'always',
    docs: 'https://console.groq.com/docs/api-reference#chat-create',
  },
  {
    key: 'DEEPSEEK',
    genaiName: 'deepseek',
    kind: 'provider',
    aliases: [],
    catalogueId: 'deepseek',
    hosts: ['api.deepseek.com'],
    modelPrefixes: ['deepseek'],
    sdkPackages: ['@ai-sdk/deepseek'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://api-docs.deepseek.com/',
  },
  {
    key: 'X_AI',
    genaiName: 'x_ai',
    kind: 'provider',
    aliases: ['xai', 'x-ai'],
    catalogueId: 'x-ai',
    hosts: ['api.x.ai'],
    modelPrefixes: ['x-ai'],
    sdkPackages: ['@ai-sdk/xai'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://docs.x.ai/docs/api-reference',
  },
  {
    key: 'PERPLEXITY',
    genaiName: 'perplexity',
    kind: 'provider',
    aliases: [],
    catalogueId: 'perplexity',
    hosts: ['api.perplexity.ai'],
    modelPrefixes: ['perplexity'],
    sdkPackages: ['@ai-sdk/perplexity'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
  },
  {
    key: 'TOGETHER_AI',
    genaiName: 'together_ai',
    kind: 'provider',
    aliases: ['together', 'togetherai'],
    catalogueId: 'together',
    hosts: ['api.together.xyz', 'api.together.ai'],
    sdkPackages: ['together-ai', '@ai-sdk/togetherai'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://docs.together.ai/docs/openai-api-compatibility',
  },
  {
    key: 'FIREWORKS',
    genaiName: 'fireworks',
    kind: 'provider',
    aliases: ['fireworks-ai'],
    catalogueId: 'fireworks',
    hosts: ['api.fireworks.ai'],
    sdkPackages: ['@ai-sdk/fireworks'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://docs.fireworks.ai/tools-sdks/openai-compatibility',
  },
  {
    key: 'CEREBRAS',
    genaiName: 'cerebras',
    kind: 'provider',
    aliases: [],
    catalogueId: 'cerebras',
    hosts: ['api.cerebras.ai'],
    sdkPackages: ['@cerebras/cerebras_cloud_sdk', '@ai-sdk/cerebras'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://inference-docs.cerebras.ai/resources/openai',
  },
  {
    key: 'OPENROUTER',
    genaiName: 'openrouter',
    kind: 'gateway',
    aliases: [],
    catalogueId: 'openrouter',
    hosts: ['openrouter.ai'],
    sdkPackages: ['@openrouter/sdk', '@openrouter/ai-sdk-provider'],
    instrumentation: {
      name: 'openrouter',
      packageName: '@aicost/instrumentation-openrouter',
      exportName: 'OpenRouterInstrumentation',
      patches: ['@openrouter/sdk'],
    },
    sdkTracesItself: false,
    streamUsage: 'unknown',
    reportedCost: {
      in: 'body',
      field: 'usage.cost',
      source: 'https://openrouter.ai/docs/use-cases/usage-accounting',
    },
    docs: 'https://openrouter.ai/docs/api-reference/overview',
  },
  {
    key: 'LITELLM',
    genaiName: 'litellm',
    kind: 'gateway',
    aliases: [],
    // A proxy users run themselves: no public host; recognised by its cost header, or mapped in `hosts`.
    hosts: [],
    sdkPackages: [],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    reportedCost: {
      in: 'header',
      header: 'x-litellm-response-cost',
      source: 'https://docs.litellm.ai/docs/proxy/response_headers',
    },
    docs: 'https://docs.litellm.ai/docs/proxy/response_headers',
  },
  {
    key: 'PORTKEY',
    genaiName: 'portkey',
    kind: 'gateway',
    aliases: [],
    hosts: ['api.portkey.ai'],
    sdkPackages: ['portkey-ai'],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://portkey.ai/docs/api-reference/inference-api/gateway-for-other-apis',
  },
  {
    key: 'OLLAMA',
    genaiName: 'ollama',
    // The user's own server (or a machine of theirs): priced by their self-hosted rate, never by
    // a vendor's list price, whatever the model is called (`mistral-large`, `command-r`...).
    kind: 'self_hosted',
    aliases: [],
    hosts: [],
    sdkPackages: ['ollama'],
    instrumentation: {
      name: 'ollama',
      packageName: '@aicost/instrumentation-ollama',
      exportName: 'OllamaInstrumentation',
      patches: ['ollama'],
    },
    sdkTracesItself: false,
    // The last (`done: true`) object of a stream carries `prompt_eval_count` / `eval_count`.
    streamUsage: 'always',
    docs: 'https://github.com/ollama/ollama/blob/main/docs/api.md',
  },
  {
    key: 'SELF_HOSTED',
    genaiName: 'self_hosted',
    kind: 'self_hosted',
    aliases: ['vllm', 'lmstudio', 'llamacpp'],
    hosts: [],
    // Ollama 11434, LM Studio 1234, vLLM 8000: OpenAI-compatible clients pointed at a local server.
    ports: ['11434', '1234', '8000'],
    sdkPackages: [],
    sdkTracesItself: false,
    streamUsage: 'unknown',
    docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  },
] as const satisfies readonly ProviderRecord[];

/**
 * Families of open-weight models that many hosts serve at many prices: on a host
 * aicost does not know, such a model has no single list price, so it is
 * self-hosted unless the user maps the host. Patterns are anchored RE2-compatible
 * regular expressions on the lower-case model id without its `vendor/` prefix
 * (`meta-llama/Llama-3.1-8B-Instruct` is matched as `llama-3.1-8b-instruct`).
 * A provider API name (`deepseek-chat`, `open-mistral-nemo`) is not a family
 * member: only that provider serves it.
 */
export const OPEN_WEIGHT_MODEL_FAMILIES = [
  { family: 'llama', pattern: '^(meta-)?(code)?llama' },
  { family: 'qwen', pattern: '^(qwen|qwq)' },
  { family: 'gpt-oss', pattern: '^gpt-oss' },
  { family: 'gemma', pattern: '^(code)?gemma' },
  { family: 'mistral-open-weights', pattern: '^(mistral-7b|mixtral-8x|mistral-nemo)' },
  { family: 'deepseek-open-weights', pattern: '^deepseek-(r1|v2|v3|coder|llm|math|prover|vl)' },
  { family: 'phi', pattern: '^phi-?[0-9]' },
  { family: 'falcon', pattern: '^falcon' },
  { family: 'olmo', pattern: '^olmo' },
  { family: 'granite', pattern: '^granite' },
  { family: 'smollm', pattern: '^smollm' },
] as const;

export type RegisteredProvider = (typeof PROVIDER_REGISTRY)[number];
