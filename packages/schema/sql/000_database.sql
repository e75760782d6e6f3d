-- aicost schema: the database.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Rendered exactly as clickhouseexporter v0.165.1 creates it (database: otel, no
-- cluster_name, no database_engine): `CREATE DATABASE IF NOT EXISTS %q %s %s`.

CREATE DATABASE IF NOT EXISTS "{{database}}"{{on_cluster}} ;
