/**
 * Runs test/collector/fixtures/genai-app.mjs, the small application both
 * collector end-to-end suites export from: `register()` from @aicost/node,
 * configured by the standard OTEL_* variables only, one GenAI span and one
 * token-usage point sent over OTLP/HTTP to `otlpEndpoint`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from '@aicost/core';

const APP = fileURLToPath(new URL('../fixtures/genai-app.mjs', import.meta.url));

/** What the app records (its AICOST_E2E_SPAN input). */
export interface GenAIAppSpan {
  name: string;
  startTimeMs: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  metric: { name: string; unit: string; value: number; attributes: Record<string, unknown> };
}

export interface GenAIAppRun {
  otlpEndpoint: string;
  serviceName: string;
  environment: string;
  span: GenAIAppSpan;
  /** Sent with every export (OTEL_EXPORTER_OTLP_HEADERS), e.g. the collector's bearer token. */
  headers?: Record<string, string>;
}

/** Runs the app to completion (it flushes on shutdown) and returns the ids of the span it exported. */
export async function exportFromGenAIApp(run: GenAIAppRun): Promise<{ traceId: string; spanId: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, [APP], {
    env: {
      PATH: process.env.PATH,
      OTEL_EXPORTER_OTLP_ENDPOINT: run.otlpEndpoint,
      OTEL_SERVICE_NAME: run.serviceName,
      OTEL_RESOURCE_ATTRIBUTES: `${ATTR_DEPLOYMENT_ENVIRONMENT_NAME}=${run.environment}`,
      AICOST_E2E_SPAN: JSON.stringify(run.span),
      ...(run.headers === undefined
        ? {}
        : {
            OTEL_EXPORTER_OTLP_HEADERS: Object.entries(run.headers)
              .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
              .join(','),
          }),
    },
    // register() loads every instrumentation; a loaded CI machine can take a while.
    timeout: 45_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}
