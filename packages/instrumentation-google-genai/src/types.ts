import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link GoogleGenAIInstrumentation}: the options every aicost instrumentation takes (`captureMessageContent`, ...). */
export type GoogleGenAIInstrumentationConfig = GenAIInstrumentationConfig;

// ---------------------------------------------------------------------------
// The parts of the SDKs' shapes this instrumentation reads. Declared here
// rather than imported so that the published types do not depend on either SDK
// being installed, and so that one declaration covers every supported major.
// ---------------------------------------------------------------------------

/** `usageMetadata` of a GenerateContentResponse (REST and both SDKs share the camelCase names). */
export interface GeminiUsageMetadata {
  /** Prompt tokens, cached-content tokens included. */
  promptTokenCount?: number;
  /** Response tokens, thinking tokens excluded. */
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  /** Thinking tokens: billed as output, not part of `candidatesTokenCount`. */
  thoughtsTokenCount?: number;
  /** Tokens of tool results fed back to the model (billed as input). */
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: GeminiModalityTokenCount[];
  cacheTokensDetails?: GeminiModalityTokenCount[];
  candidatesTokensDetails?: GeminiModalityTokenCount[];
  toolUsePromptTokensDetails?: GeminiModalityTokenCount[];
  /** Vertex AI: the quota that served the call (`ON_DEMAND`, `ON_DEMAND_FLEX`, `PROVISIONED_THROUGHPUT`...). */
  trafficType?: string;
}

export interface GeminiModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  functionCall?: { id?: string; name?: string; args?: unknown };
  functionResponse?: { id?: string; name?: string; response?: unknown };
  inlineData?: { mimeType?: string; data?: string };
  fileData?: { mimeType?: string; fileUri?: string };
  [other: string]: unknown;
}

export interface GeminiContent {
  role?: string;
  parts?: GeminiPart[];
}

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: string;
  index?: number;
}

/** A GenerateContentResponse, or one chunk of a streamed one. */
export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[];
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/** An EmbedContentResponse of `@google/genai`. */
export interface GeminiEmbedContentResponse {
  embeddings?: Array<{ statistics?: { tokenCount?: number } }>;
  usageMetadata?: GeminiUsageMetadata;
  metadata?: { billableCharacterCount?: number };
}

/** `config` of a `@google/genai` generateContent request (sampling fields only). */
export interface GenAIGenerateContentConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  seed?: number;
  candidateCount?: number;
  responseMimeType?: string;
  systemInstruction?: unknown;
}

/** `generationConfig` of a `@google/generative-ai` request: the same fields as above. */
export type LegacyGenerationConfig = Omit<GenAIGenerateContentConfig, 'systemInstruction'>;

/** The `ApiClient` a `@google/genai` `Models` instance holds in `this.apiClient`. */
export interface GenAIApiClient {
  isVertexAI?(): boolean;
  getBaseUrl?(): string | undefined;
}
