import { type Attributes, diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { Resource, ResourceDetector } from '@opentelemetry/resources';
import type { Sampler, SpanLimits } from '@opentelemetry/sdk-trace';
import type { PackageLoader } from './load.js';

/**
 * The parts of the OpenTelemetry Node SDK's environment configuration that
 * `register()` honours, read the way the Node SDK reads them (same variables,
 * same names, same defaults), without loading the Node SDK and every exporter
 * it imports.
 */

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type Resources = typeof import('@opentelemetry/resources');

/** `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`; `undefined`: the SDK's default (parent-based always-on). */
export function samplerFromEnv(sdk: SdkTrace): Sampler | undefined {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  if (name === undefined) return undefined;
  const ratio = () => {
    const value = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
    if (value === undefined || value < 0 || value > 1) {
      diag.error(`OTEL_TRACES_SAMPLER_ARG=${value} is not a ratio in [0..1], defaulting to 1`);
      return 1;
    }
    return value;
  };
  switch (name) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio());
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio()) });
    default:
      diag.error(`unknown OTEL_TRACES_SAMPLER value "${name}", using default`);
      return undefined;
  }
}

/** `OTEL_SPAN_*_LIMIT` and `OTEL_ATTRIBUTE_*_LIMIT`. */
export function spanLimitsFromEnv(): SpanLimits {
  const limits: SpanLimits = {
    attributeCountLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/**
 * The resource: the SDK's defaults (`telemetry.sdk.*`), then `resourceAttributes`, then what the
 * detectors named by `OTEL_NODE_RESOURCE_DETECTORS` find (default all: host, os, process, service
 * instance, env — `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` win), then `serviceName`.
 */
export function detectResource(
  loadPackage: PackageLoader,
  serviceName?: string,
  resourceAttributes?: Attributes,
): Resource {
  const resources = loadPackage('@opentelemetry/resources') as Resources;
  const detectors: Record<string, ResourceDetector> = {
    host: resources.hostDetector,
    os: resources.osDetector,
    serviceinstance: resources.serviceInstanceIdDetector,
    process: resources.processDetector,
    env: resources.envDetector,
  };
  const names = getStringListFromEnv('OTEL_NODE_RESOURCE_DETECTORS') ?? ['all'];
  const chosen = names.includes('all')
    ? Object.values(detectors)
    : names.includes('none')
      ? []
      : names.flatMap((name) => {
          if (detectors[name] === undefined)
            diag.warn(`Invalid resource detector "${name}" in OTEL_NODE_RESOURCE_DETECTORS`);
          return detectors[name] ?? [];
        });
  let resource = resources.defaultResource();
  if (resourceAttributes) resource = resource.merge(resources.resourceFromAttributes(resourceAttributes));
  resource = resource.merge(resources.detectResources({ detectors: chosen }));
  if (serviceName)
    resource = resource.merge(resources.resourceFromAttributes({ 'service.name': serviceName }));
  return resource;
}
