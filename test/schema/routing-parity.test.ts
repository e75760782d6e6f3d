/**
 * Who prices a call, and under which tier: the same in SQL as in @aicost/core. Spans as a
 * foreign emitter sends them (semconv names, a server address and port, a served tier, no cost)
 * go once through @aicost/core's CostSpanProcessor and once, without the attributes it added,
 * into the engine, where 012_routing.sql's rows (exportRoutingData, with the same host
 * mappings) and the whole catalogue export are loaded. Both must give the same catalogue
 * provider, price_match, status, reason and cost to the nano: gateways on private and loopback
 * addresses, gateway-prefixed ids, open-weight models, a declared self-hosted host priced by
 * its rate, user mappings, known hosts, and every reviewed service tier, a tier without a rule
 * and provisioned capacity.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricer, exportPriceAliases, exportPriceRows } from '../../packages/core/src/pricing/index.js';
import { SERVICE_TIER_RULES } from '../../packages/core/src/pricing/service-tiers.js';
import { CostSpanProcessor } from '../../packages/core/src/processors/cost-processor.js';
import { parseHostMappings } from '../../packages/core/src/providers/host-mappings.js';
import { exportRoutingData } from '../../packages/core/src/providers/routing-rows.js';
import {
  type EngineSession,
  exporterSpanOf,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { keepPinnedDates } from './fixtures.js';

const AT = new Date('2026-11-02T09:30:00Z');
const HOSTS = {
  'llm-gw.internal': 'openai',
  'claude-proxy.corp': 'anthropic',
  'vllm.internal:8000': 'self_hosted',
};
const pricer = createPricer({
  pricesFile: false,
  hosts: HOSTS,
  overrides: {
    version: 'parity-1',
    self_hosted: [{ provider: 'self_hosted', model: 'house-model', input_mtok: '0.2', output_mtok: '0.4' }],
  },
});

interface Call {
  provider: string;
  model: string;
  address?: string;
  port?: number;
  tier?: string;
}

const GATEWAYS: Call[] = [
  // Gateways and proxies on private, loopback and internal hosts: the model id decides.
  { provider: 'openai', model: 'gpt-4o-mini', address: '10.1.2.3', port: 4000 },
  { provider: 'openai', model: 'gpt-4o-mini', address: '127.0.0.1', port: 4000 },
  { provider: 'openai', model: 'gpt-4o-mini', address: 'litellm.svc', port: 4000 },
  { provider: 'openai', model: 'openai/gpt-4.1', address: 'litellm.internal', port: 4000 },
  { provider: 'openai', model: 'anthropic/claude-sonnet-4-5', address: '192.168.1.20', port: 8080 },
  { provider: 'openai', model: 'google/gemini-2.5-flash', address: 'gw.corp', port: 443 },
  { provider: 'openai', model: 'claude-3-5-haiku-latest', address: 'gw.corp', port: 443 },
  { provider: 'openai', model: 'gemini-2.5-pro', address: 'gw.corp', port: 443 },
  { provider: 'openai', model: 'o3-mini', address: 'gw.corp', port: 443 },
  { provider: 'openai', model: 'gpt-4o-mini', address: 'api.portkey.ai', port: 443 },
  { provider: 'openai', model: 'openai/gpt-4o', address: 'openrouter.ai', port: 443 },
  // Open-weight and unknown models on unknown hosts: self-hosted, no rate.
  { provider: 'openai', model: 'meta-llama/Llama-3.1-8B-Instruct', address: '10.0.0.9', port: 8000 },
  { provider: 'openai', model: 'qwen3-32b', address: 'localhost', port: 11434 },
  { provider: 'openai', model: 'gpt-oss-120b', address: '10.0.0.9', port: 443 },
  { provider: 'openai', model: 'totally-unknown-model', address: '10.0.0.9', port: 443 },
  { provider: 'openai', model: 'openai/not-a-model', address: '10.0.0.9', port: 443 },
  { provider: 'self_hosted', model: 'house-model', address: '10.0.0.9', port: 8001 },
  // A declared self-hosted host priced by its rate, and user mappings.
  { provider: 'openai', model: 'house-model', address: 'vllm.internal', port: 8000 },
  { provider: 'openai', model: 'gpt-4o', address: 'llm-gw.internal', port: 443 },
  { provider: 'openai', model: 'claude-sonnet-4-5', address: 'claude-proxy.corp', port: 443 },
  // Known hosts, a provider's own SDK through a proxy, and spans without a server.
  { provider: 'openai', model: 'gpt-4o', address: 'api.openai.com', port: 443 },
  { provider: 'azure.ai.openai', model: 'gpt-4o', address: 'my-res.openai.azure.com', port: 443 },
  { provider: 'openai', model: 'gpt-4o', address: 'my-res.openai.azure.com', port: 443 },
  {
    provider: 'aws.bedrock',
    model: 'anthropic.claude-3-haiku-20240307-v1:0',
    address: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
  },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', address: '10.0.0.9', port: 443 },
  { provider: 'openai', model: 'gpt-4o' },
  { provider: 'gcp.gemini', model: 'gemini-2.5-flash' },
];

/** Every reviewed tier under a host of its provider, plus standard spellings, a tier without a rule, and a gateway. */
const TIER_HOSTS: Record<string, Call> = {
  openai: { provider: 'openai', model: 'gpt-4o', address: 'api.openai.com', port: 443 },
  azure: { provider: 'azure.ai.openai', model: 'gpt-4o', address: 'my-res.openai.azure.com', port: 443 },
  anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-5', address: 'api.anthropic.com', port: 443 },
  aws: {
    provider: 'aws.bedrock',
    model: 'anthropic.claude-3-haiku-20240307-v1:0',
    address: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
  },
  groq: { provider: 'groq', model: 'llama-3.1-8b-instant', address: 'api.groq.com', port: 443 },
  google: {
    provider: 'gcp.gemini',
    model: 'gemini-2.5-flash',
    address: 'generativelanguage.googleapis.com',
    port: 443,
  },
};
const TIERS: Call[] = [
  ...Object.entries(SERVICE_TIER_RULES).flatMap(([provider, tiers]) =>
    [...Object.keys(tiers), 'priority', 'no-such-tier', ''].map((tier) => ({
      ...TIER_HOSTS[provider]!,
      tier,
    })),
  ),
  {
    ...TIER_HOSTS.google!,
    provider: 'gcp.vertex_ai',
    address: 'us-central1-aiplatform.googleapis.com',
    tier: 'PROVISIONED_THROUGHPUT',
  },
  {
    ...TIER_HOSTS.google!,
    provider: 'gcp.vertex_ai',
    address: 'us-central1-aiplatform.googleapis.com',
    tier: 'ON_DEMAND',
  },
  // The served tier through a gateway: routed to OpenAI by the model, flex-priced there.
  { provider: 'openai', model: 'gpt-4o-mini', address: '10.1.2.3', port: 4000, tier: 'flex' },
  {
    provider: 'openai',
    model: 'anthropic/claude-sonnet-4-5',
    address: '10.1.2.3',
    port: 4000,
    tier: 'batch',
  },
];

interface Outcome {
  provider_id: string;
  match: string;
  status: string;
  reason: string;
  cost: string | null;
}

let engine: EngineSession;
const js = new Map<string, Outcome>();
const calls = new Map<string, Call>();

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  await loadPriceRows(engine, exportPriceRows({ pricer }), exportPriceAliases({ pricer }), {
    routing: exportRoutingData({ hosts: parseHostMappings(HOSTS).mappings }),
  });

  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ price: (request) => pricer.priceUsage(request), recordCostMetrics: false }),
      new SimpleSpanProcessor({ exporter }),
    ],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-openai');
  [...GATEWAYS, ...TIERS].forEach((call, index) => {
    const span = tracer.startSpan(`chat ${call.model}`, {
      startTime: AT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': call.provider,
        'gen_ai.request.model': call.model,
        'gen_ai.usage.input_tokens': 12_345 + index,
        'gen_ai.usage.output_tokens': 678 + index,
        ...(call.address === undefined ? {} : { 'server.address': call.address }),
        ...(call.port === undefined ? {} : { 'server.port': call.port }),
        ...(call.tier ? { 'aicost.service_tier': call.tier } : {}),
      },
    });
    span.end(new Date(AT.getTime() + 1500));
  });
  const rows = exporter.getFinishedSpans().map((span) => {
    const row = exporterSpanOf(span);
    const id = row.spanId!;
    calls.set(id, [...GATEWAYS, ...TIERS][exporter.getFinishedSpans().indexOf(span)]!);
    const a = row.attributes ?? {};
    js.set(id, {
      provider_id: String(a['aicost.price.provider_id'] ?? ''),
      match: String(a['aicost.price.match'] ?? ''),
      status: String(a['aicost.cost.status']),
      reason: String(a['aicost.cost.status_reason'] ?? ''),
      cost: a['aicost.cost.total'] === undefined ? null : String(a['aicost.cost.total']),
    });
    // As a foreign emitter sends it: no cost, no price provenance.
    row.attributes = Object.fromEntries(
      Object.entries(a).filter(
        ([key]) => !key.startsWith('aicost.cost.') && !key.startsWith('aicost.price.'),
      ),
    );
    return row;
  });
  await insertSpans(engine, rows);
  await provider.shutdown();
}, 180_000);
afterAll(async () => {
  await engine?.close();
});

function sqlOutcomes(): Map<string, Outcome> {
  const rows = engine.query<Outcome & { span_id: string }>(
    `SELECT span_id, price_provider_id AS provider_id, price_match AS match, cost_status AS status,
            cost_status_reason AS reason, cost_total AS cost
     FROM otel.aicost_requests`,
  );
  return new Map(rows.map(({ span_id, ...outcome }) => [span_id, outcome]));
}

describe('routing and tiers: SQL = @aicost/core', () => {
  it('gives every span the provider, match, status, reason and cost the cost processor gives it', () => {
    const sql = sqlOutcomes();
    expect(sql.size).toBe(js.size);
    const differences = [...js].flatMap(([id, expected]) => {
      const got = sql.get(id);
      return JSON.stringify(got) === JSON.stringify(expected)
        ? []
        : [{ call: calls.get(id), js: expected, sql: got }];
    });
    expect(differences).toEqual([]);
  });

  it('covers every outcome the rule has', () => {
    const outcomes = [...js.values()];
    expect(new Set(outcomes.map((o) => o.match))).toEqual(
      new Set([
        'host',
        'user_host_mapping',
        'provider_name',
        'model_id',
        'model_id_prefixed',
        'open_weight',
        'unknown_model',
        'self_hosted_rate',
      ]),
    );
    expect(new Set(outcomes.map((o) => o.status))).toEqual(
      new Set(['priced', 'override', 'unpriced', 'committed']),
    );
    expect(new Set(outcomes.map((o) => o.reason))).toEqual(
      new Set(['', 'self_hosted_no_rate', 'unknown_service_tier']),
    );
  });
});
