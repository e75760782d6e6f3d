export { costAttributes } from './attributes.js';
export {
  CATALOGUE_PROVIDER_BY_GENAI_NAME,
  CATALOGUE_PROVIDER_IDS,
  type CatalogueModel,
  findCatalogueModel,
  PRICE_DATA_PACKAGE,
  PRICE_DATA_VERSION,
  pricesAt,
  resolveCatalogueProvider,
} from './catalogue.js';
export {
  type CustomPrice,
  type CustomPriceInput,
  type Discount,
  type DiscountInput,
  globMatches,
  loadPriceOverridesFile,
  type OverridesResult,
  type PriceOverrides,
  type PriceOverridesInput,
  parsePriceOverrides,
  type SelfHostedRate,
  type SelfHostedRateInput,
} from './overrides.js';
export {
  createPricer,
  getDefaultPricer,
  PriceBook,
  type PricerOptions,
  priceUsage,
  scaleSheet,
  setDefaultPricer,
  throughputPricePerMillion,
  totalCost,
} from './price-book.js';
export {
  exportPriceAliases,
  exportPriceRows,
  type PriceAlias,
  type PriceExportOptions,
  type PriceRow,
} from './price-rows.js';
export {
  reportedCostFromBody,
  reportedCostFromNumber,
  reportedCostFromText,
  reportedCostNanos,
} from './reported-cost.js';
export {
  SERVICE_TIER_RULES,
  SERVICE_TIER_RULES_VERSION,
  type ServiceTierRule,
  STANDARD_TIER_NAMES,
  serviceTierRule,
} from './service-tiers.js';
export {
  costFromSheet,
  PRICE_KEYS,
  PRICE_SCALE,
  type PriceKey,
  type PriceSheet,
  priceAt,
  roundPrice,
  sheetFromCatalogue,
  type TieredPrice,
} from './sheet.js';
