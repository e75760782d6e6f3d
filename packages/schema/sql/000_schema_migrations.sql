-- aicost schema: the migrations ledger, one row per migration applied (see README "Migrations").
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- A database that has the aicost tables but not this one was installed before migrations
-- existed: `aicost migrate` checks that it is version 1 and records it as such. On a cluster
-- the ledger is replicated to every node (no {shard} in its path), so every node knows the
-- version. ReplacingMergeTree: re-recording a version (a retried migrate) keeps one row.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_schema_migrations{{on_cluster}}
(
    version UInt32 COMMENT 'migration number, the NNNN of migrations/NNNN_name.sql',
    name String COMMENT 'the file name without number and extension',
    checksum String COMMENT 'sha256 of the statements as written (template, comments dropped)',
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'when aicost migrate recorded it'
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}applied_at)
ORDER BY version;
