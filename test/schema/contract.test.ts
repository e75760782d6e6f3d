/**
 * The attribute contract between @aicost/core (the names the SDK writes, semconv.ts) and the
 * schema (the names its SQL reads from the exporter's attribute maps): every `aicost.*` key
 * the SQL reads is one of core's constants, every `aicost.*` constant core exports is read by
 * the schema or listed below as not stored (with why), and the GenAI names the SQL reads are
 * core's or named here as foreign.
 */
import * as core from '@aicost/core';
import { readSchema } from '@aicost/schema';
import { describe, expect, it } from 'vitest';

const sql = readSchema()
  .flatMap((file) => file.statements)
  .join('\n');

/** Keys read from SpanAttributes / ResourceAttributes: map[...], mapContains(map, ...), aicost_count(map, ...). */
const readKeys = new Set(
  [
    ...sql.matchAll(/(?:Span|Resource)Attributes\['([^']+)'\]/g),
    ...sql.matchAll(/mapContains\((?:Span|Resource)Attributes, '([^']+)'\)/g),
    // Token counts, read through the count functions of 015_pricing.sql.
    ...sql.matchAll(/aicost_count(?:_readable)?\(SpanAttributes, '([^']+)'\)/g),
  ].map((m) => m[1]!),
);
/** Prefixes the SQL filters keys by (custom attribution). */
const readPrefixes = new Set([...sql.matchAll(/startsWith\(k, '([^']+)'\)/g)].map((m) => m[1]!));

const constants = new Map(
  Object.entries(core)
    .filter(
      ([name, value]) => /^(ATTR_|AICOST_CUSTOM_ATTRIBUTION_PREFIX$)/.test(name) && typeof value === 'string',
    )
    .map(([name, value]) => [value as string, name]),
);

/** aicost.* constants core exports that the request table does not store, and why. */
const NOT_STORED: Record<string, string> = {};

/** Names the SQL reads that core does not write: written by other emitters. */
const FOREIGN: Record<string, string> = {
  'gen_ai.request.stream': 'written by SDKs that trace themselves; ours is aicost.request.stream',
  'deployment.environment': 'the resource attribute before semconv renamed it deployment.environment.name',
  'deployment.id':
    'resource attribute set by deployment tooling: the deployment of a release (request column deployment)',
  'vcs.ref.head.revision':
    'resource attribute set by build tooling: the commit of a release (request column deployment)',
};

describe('attribute names: @aicost/core and the schema agree', () => {
  it('reads only aicost.* names that core defines', () => {
    const ours = [...readKeys, ...readPrefixes].filter((key) => key.startsWith('aicost.'));
    expect(ours.length).toBeGreaterThan(25);
    expect(ours.filter((key) => !constants.has(key))).toEqual([]);
  });

  it('reads every aicost.* name core defines, or says why not', () => {
    const unread = [...constants.keys()].filter(
      (value) => value.startsWith('aicost.') && !readKeys.has(value) && !readPrefixes.has(value),
    );
    expect(unread.sort()).toEqual(Object.keys(NOT_STORED).sort());
  });

  it('reads GenAI and resource names that core defines, or named foreign', () => {
    const others = [...readKeys].filter((key) => !key.startsWith('aicost.'));
    expect(others.length).toBeGreaterThan(10);
    expect(others.filter((key) => !constants.has(key) && !(key in FOREIGN))).toEqual([]);
  });
});
