#!/usr/bin/env node
/**
 * Writes the cluster variant of the schema files: `ON CLUSTER <name>` on every CREATE and
 * the Replicated* form of every MergeTree-family engine (server-default replication path).
 * The input files are not changed. test/schema/cluster.test.ts checks the output of the real
 * files (every statement ON CLUSTER, Replicated engines, nothing else changed, EXPLAIN AST
 * parses it); it is not run on a cluster (none on the build machine).
 *
 *   node collector/sql/cluster.mjs --cluster my_cluster --out /tmp/aicost-sql-cluster
 *   node collector/sql/cluster.mjs --no-on-cluster --out dir   # for a Replicated database
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    cluster: { type: 'string' },
    out: { type: 'string' },
    'no-on-cluster': { type: 'boolean', default: false },
  },
});
if (!values.out || (!values.cluster && !values['no-on-cluster'])) {
  console.error('usage: cluster.mjs (--cluster <name> | --no-on-cluster) --out <dir>');
  process.exit(2);
}

const onCluster = values['no-on-cluster'] ? '' : ` ON CLUSTER \`${values.cluster.replaceAll('`', '``')}\``;
const here = dirname(fileURLToPath(import.meta.url));

/** One file's text, rewritten. */
function toCluster(sql) {
  return (
    sql
      // CREATE/DROP/ALTER ... <name> [ON CLUSTER x]: after the object name, before its body,
      // AS/TO or the ALTER command (050's window setting is harmless on Replicated tables,
      // which deduplicate by replicated_deduplication_window).
      .replace(
        /^(CREATE (?:DATABASE|TABLE|MATERIALIZED VIEW|DICTIONARY) IF NOT EXISTS|CREATE OR REPLACE (?:VIEW|FUNCTION)|DROP VIEW IF EXISTS|ALTER TABLE) ((?:"[^"]+"|[\w]+)(?:\.(?:"[^"]+"|[\w]+))?)\s*/gm,
        (_, head, name) => `${head} ${name}${onCluster} `,
      )
      // MergeTree family -> Replicated*, keeping their own arguments (the version column of
      // ReplacingMergeTree); the replication path and replica name come from the server's
      // default_replica_path / default_replica_name.
      .replace(/ENGINE = (Summing|Replacing)?MergeTree(\([^)]*\))?/g, (_, kind = '', args = '()') => {
        return `ENGINE = Replicated${kind}MergeTree${args}`;
      })
  );
}

mkdirSync(values.out, { recursive: true });
for (const file of readdirSync(here)
  .filter((name) => /^\d{3}_[\w-]+\.sql$/.test(name))
  .sort()) {
  writeFileSync(join(values.out, file), toCluster(readFileSync(join(here, file), 'utf8')));
  console.log(join(values.out, file));
}
