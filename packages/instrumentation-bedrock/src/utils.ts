import {
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TOP_K,
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
  type GenAICallInfo,
  readRequestAttributes,
  serverFromBaseURL,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { invokeRequestParams } from './invoke-model.js';
import { REQUEST_ATTRIBUTES } from './semconv.js';
import type { BedrockClientLike, BedrockOperation, ConverseInput, RequestParams } from './types.js';

// ---------------------------------------------------------------------------
// Which operation a command runs
// ---------------------------------------------------------------------------

const OPERATION_BY_COMMAND_NAME: Record<string, BedrockOperation> = {
  ConverseCommand: 'Converse',
  ConverseStreamCommand: 'ConverseStream',
  InvokeModelCommand: 'InvokeModel',
  InvokeModelWithResponseStreamCommand: 'InvokeModelWithResponseStream',
};

/** The command classes of one loaded copy of the SDK, for bundles where class names are minified. */
export type CommandClasses = WeakMap<object, BedrockOperation>;

/** The command classes a module exports (`ConverseCommand`, ...), keyed by class. */
export function commandClassesOf(moduleExports: Record<string, unknown>, into: CommandClasses): void {
  for (const [name, operation] of Object.entries(OPERATION_BY_COMMAND_NAME)) {
    const commandClass = moduleExports[name];
    if (typeof commandClass === 'function') into.set(commandClass, operation);
  }
}

/** The billed operation a command runs, or `undefined` for every other command (CountTokens, guardrails, ...). */
export function operationOf(command: unknown, known: CommandClasses): BedrockOperation | undefined {
  if (!command || typeof command !== 'object') return undefined;
  const commandClass = (command as { constructor?: unknown }).constructor;
  if (typeof commandClass !== 'function') return undefined;
  return known.get(commandClass) ?? OPERATION_BY_COMMAND_NAME[commandClass.name];
}

export function isStreaming(operation: BedrockOperation): boolean {
  return operation === 'ConverseStream' || operation === 'InvokeModelWithResponseStream';
}

// ---------------------------------------------------------------------------
// Model ids
// ---------------------------------------------------------------------------

/**
 * The model id inside a Bedrock ARN, as the price catalogue names it:
 * `arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`
 * is `anthropic.claude-3-haiku-20240307-v1:0`, and a system inference profile ARN
 * is its profile id (`us.anthropic...`), whose prices differ from the global one.
 * Application inference profiles and provisioned models have opaque ids: they
 * stay as they are (and unpriced unless an override names them).
 */
export function modelIdFromArn(modelId: string): string {
  const match = /^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:(foundation-model|inference-profile)\/(.+)$/.exec(
    modelId,
  );
  return match ? match[2]! : modelId;
}

// ---------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------

/** Everything the span starts with, from the client, the operation and the command input. */
export function callInfo(
  client: BedrockClientLike | undefined,
  operation: BedrockOperation,
  input: unknown,
  invokeBody?: Record<string, unknown>,
): GenAICallInfo {
  const modelId =
    typeof (input as { modelId?: unknown })?.modelId === 'string'
      ? (input as { modelId: string }).modelId
      : undefined;
  const request =
    operation === 'Converse' || operation === 'ConverseStream'
      ? { operation: GEN_AI_OPERATION.CHAT, attributes: converseRequestAttributes(input as ConverseInput) }
      : invokeRequest(modelId, invokeBody);
  return {
    provider: GEN_AI_PROVIDER.AWS_BEDROCK,
    operation: request.operation,
    requestModel: modelId,
    ...serverFromClient(client),
    stream: isStreaming(operation),
    requestAttributes: request.attributes,
  };
}

function converseRequestAttributes(input: ConverseInput): Attributes {
  const config = input?.inferenceConfig;
  const attributes = requestAttributes({
    maxTokens: config?.maxTokens,
    temperature: config?.temperature,
    topP: config?.topP,
    stopSequences: config?.stopSequences,
  });
  // top_k is not a Converse field: models that take it get it through the model's own fields.
  const extra = input?.additionalModelRequestFields as Record<string, unknown> | undefined;
  const topK = extra?.top_k ?? extra?.topK;
  if (typeof topK === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_K] = topK;
  return attributes;
}

function invokeRequest(
  modelId: string | undefined,
  body: Record<string, unknown> | undefined,
): { operation: string; attributes: Attributes } {
  const params = invokeRequestParams(modelIdFromArn(modelId ?? ''), body);
  return { operation: params.operation, attributes: requestAttributes(params) };
}

export function requestAttributes(params: RequestParams): Attributes {
  const attributes = readRequestAttributes(params, REQUEST_ATTRIBUTES, { stop: 'stopSequences' });
  // An empty list of stop sequences says nothing: left out.
  if ((attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] as unknown[] | undefined)?.length === 0) {
    delete attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES];
  }
  return attributes;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

/**
 * `server.address` / `server.port` from what the application configured, when
 * it says so synchronously: an `endpoint` (string or `{ hostname, port, protocol }`),
 * else a `region` string, which names `bedrock-runtime.{region}.amazonaws.com`.
 * A region or endpoint that only a provider function knows is taken from the
 * request itself later (see {@link serverFromRequest}).
 */
export function serverFromClient(client: BedrockClientLike | undefined): {
  serverAddress?: string;
  serverPort?: number;
} {
  const config = client?.initConfig;
  const endpoint = config?.endpoint;
  if (typeof endpoint === 'string' || endpoint instanceof URL) return serverFromBaseURL(endpoint);
  if (endpoint && typeof endpoint === 'object') return serverFromEndpointObject(endpoint);
  if (endpoint === undefined && typeof config?.region === 'string' && /^[a-z0-9-]+$/.test(config.region)) {
    return { serverAddress: `bedrock-runtime.${config.region}.amazonaws.com`, serverPort: 443 };
  }
  return {};
}

/** An HTTP request as smithy builds it (`HttpRequest`), after endpoint resolution. */
export function serverFromRequest(request: unknown): { serverAddress?: string; serverPort?: number } {
  return serverFromEndpointObject(request);
}

function serverFromEndpointObject(endpoint: unknown): { serverAddress?: string; serverPort?: number } {
  const { hostname, port, protocol } = endpoint as { hostname?: unknown; port?: unknown; protocol?: unknown };
  if (typeof hostname !== 'string' || !hostname) return {};
  const explicitPort =
    typeof port === 'number' ? port : typeof port === 'string' && port ? Number(port) : undefined;
  const serverPort = explicitPort ?? (protocol === 'http:' || protocol === 'http' ? 80 : 443);
  return { serverAddress: hostname, serverPort };
}
