import type { GenAIInstrumentationConfig } from '@aicost/core';

export interface OpenAIInstrumentationConfig extends GenAIInstrumentationConfig {
  /**
   * For streamed chat completions that did not ask for usage, add
   * `stream_options: { include_usage: true }` to the request and hide the extra
   * usage-only chunk from the application, so streamed calls can be priced.
   * Default: `AICOST_OPENAI_STREAM_USAGE`, else on for hosts the provider
   * registry documents as accepting it (OpenAI, Azure OpenAI, and hosts mapped
   * to them) and off elsewhere (such streams end `unpriced` / `missing_usage`,
   * with one warning per process). `false` turns it off everywhere.
   */
  streamUsage?: boolean;
}
