export {
  getHostMappings,
  type HostMappings,
  type HostMappingsInput,
  parseHostMappings,
  parseHostMappingsEnv,
  setHostMappings,
} from './host-mappings.js';
export {
  providerByCatalogueId,
  providerByHost,
  providerByModelPrefix,
  providerByName,
  providerDefaultBaseURL,
} from './lookup.js';
export {
  OPEN_WEIGHT_MODEL_FAMILIES,
  PROVIDER_REGISTRY,
  type ProviderRecord,
  type RegisteredProvider,
  type ReportedCostSource,
  type StreamUsageSupport,
} from './registry.js';
export { isOpenWeightModel, type Route, type RouteInput, routeCall } from './routing.js';
export {
  exportRoutingData,
  type HostRouteRow,
  type ModelClaimRow,
  type ModelPrefixRow,
  type RoutingData,
  type ServiceTierRow,
} from './routing-rows.js';
