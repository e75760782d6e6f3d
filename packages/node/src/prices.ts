import { createPricer, type PriceOverridesInput, setDefaultPricer } from '@aicost/core';
import { warnOnce } from './log.js';

/**
 * Makes price overrides given in code the process-wide price book, the one
 * every aicost instrumentation's recorder prices with and the one the cost
 * processor's default pricing (`priceUsage`) reads for other instrumentations'
 * spans: one book, so a call costs the same whoever recorded it.
 *
 * `AICOST_PRICES_FILE` still applies: both sources are merged, the code's
 * entries first, so for a request both match, the code wins; entries only in
 * the file keep working. Invalid overrides are reported once and ignored
 * (the catalogue prices as if they were absent).
 */
export function installPriceOverrides(prices: PriceOverridesInput): void {
  const book = createPricer({ overrides: prices });
  if (book.overrideErrors.length > 0) {
    warnOnce('price-overrides', `price overrides ignored: ${book.overrideErrors.join('; ')}`);
  }
  setDefaultPricer(book);
}
