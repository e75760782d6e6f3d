import {
  createPricer,
  type HostMappingsInput,
  type PriceOverridesInput,
  setDefaultPricer,
  setHostMappings,
} from '@aicost/core';
import { diag } from '@opentelemetry/api';

/**
 * Makes price overrides given in code the process-wide price book, the one
 * every aicost instrumentation's recorder prices with and the one the cost
 * processor's default pricing (`priceUsage`) reads for other instrumentations'
 * spans: one book, so a call costs the same whoever recorded it.
 *
 * `AICOST_PRICES_FILE` still applies: both sources are merged, the code's
 * entries first, so for a request both match, the code wins; entries only in
 * the file keep working. Invalid overrides are ignored (the catalogue prices
 * as if they were absent) and reported once through diag by the price book,
 * which the default aicost warning logger prints.
 */
export function installPriceOverrides(prices: PriceOverridesInput): void {
  setDefaultPricer(createPricer({ overrides: prices }));
}

/**
 * Makes the host mappings given in code the process-wide ones (over `AICOST_HOSTS`): they name
 * the provider of every call to those hosts, in the instrumentations and the cost processor
 * alike. Bad entries are ignored and reported once each.
 */
export function installHostMappings(hosts: HostMappingsInput): void {
  for (const error of setHostMappings(hosts)) diag.error(`aicost: host mapping ignored: ${error}`);
}
