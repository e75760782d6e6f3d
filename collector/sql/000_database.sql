-- aicost schema: the database.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
--
-- Rendered exactly as clickhouseexporter v0.165.1 creates it (database: otel, no
-- cluster_name, no database_engine): `CREATE DATABASE IF NOT EXISTS %q %s %s`.

CREATE DATABASE IF NOT EXISTS "otel"  ;
