import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions as the semconv opt-in attributes
   * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`).
   * Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, else off.
   */
  captureMessageContent?: boolean;
  /**
   * For streamed chat completions that did not ask for usage, add
   * `stream_options: { include_usage: true }` to the request and hide the extra
   * usage-only chunk from the application, so streamed calls can be priced.
   * Default: `AICOST_OPENAI_STREAM_USAGE`, else off (such streams end
   * `unpriced` / `missing_usage`).
   */
  streamUsage?: boolean;
}
