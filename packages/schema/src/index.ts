export { columnMigration, REQUEST_VIEWS } from './column-migration.js';
export {
  checkIdentifier,
  distributedCompanions,
  type Layout,
  LOCAL_SUFFIX,
  layoutParameters,
  SHARDED_TABLES,
  SINGLE,
} from './layout.js';
export {
  LEDGER_TABLE,
  type MigrateResult,
  type Migration,
  type MigrationFile,
  type MigrationOptions,
  type MigrationState,
  migrate,
  migrationStatus,
  parseMigration,
  type RunStatement,
  readMigrations,
  VERSION_1_OBJECTS,
} from './migrations.js';
export {
  type DecimalInput,
  type LoadPricesOptions,
  loadPrices,
  type PriceAlias,
  type PriceRow,
  priceLoadStatements,
} from './prices.js';
export {
  columnDefinition,
  REQUEST_COLUMNS,
  type RequestColumn,
  requestColumnParameters,
} from './request-columns.js';
export { ROLLUP_MEASURES, type RollupMeasure, rollupParameters } from './rollup-measures.js';
export { type LoadRoutingOptions, loadRouting, type RoutingRows, routingLoadStatements } from './routing.js';
export {
  DEFAULT_DATABASE,
  MIGRATIONS_DIR,
  readSchema,
  renderStatements,
  renderTemplate,
  type SchemaFile,
  type SchemaOptions,
  SQL_DIR,
  templateParameters,
} from './schema.js';
export { splitStatements } from './statements.js';
