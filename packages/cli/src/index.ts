/**
 * @aicost/cli as a library: the pieces behind the `aicost` binary, for tests,
 * benchmarks and tools that embed the local collector.
 */

export { type ParsedArgs, parseArgs } from './args.js';
export { main } from './cli.js';
export { loadCatalogue } from './commands/prices.js';
export { decodeRequest, encodingOf, OtlpDecodeError } from './otlp/decode.js';
export { metricsToRows, type OtlpMetricsRequest } from './otlp/metrics.js';
export { type OtlpTracesRequest, TRACE_COLUMNS, tracesToRows } from './otlp/traces.js';
export { anyValueString, attributesMap } from './otlp/values.js';
export { formatRounded, formatUsd, parseCostText } from './report/money.js';
export { reportSql } from './report/query.js';
export {
  type BoundAddress,
  boundAddressOf,
  browserRequestRefusal,
  credentialMatches,
  isLoopbackHost,
  type LocalCredential,
  loadOrCreateCredential,
  readCredential,
} from './server/access.js';
export { createClickHouseHttpServer } from './server/clickhouse-http.js';
export { IngestQueue, QueueBusyError } from './server/ingest-queue.js';
export { createOtlpReceiver, TRACES_TABLE, toTableRows } from './server/otlp-http.js';
export { DEFAULT_READ_LIMITS, LocalEngine, type ReadLimits } from './store/engine.js';
export { DATABASE, schemaDatabase, schemaLayout } from './store/schema.js';
