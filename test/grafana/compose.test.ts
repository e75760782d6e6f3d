// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose and Grafana variable syntax (${VAR}, ${VAR:-default})
/**
 * collector/docker-compose.yaml checked without Docker (no daemon on the build machines):
 * the services, images and published ports; every bind mount exists; the one-shot
 * aicost-init runs the built CLI's migrate --with-prices before the collector starts; every variable the
 * mounted configs read (collector/config.yaml `${env:...}`, the Grafana datasource `${...}`,
 * users.xml `from_env`) is set on the container that reads it; and the names that must agree
 * across files (users, host, port, plugin version, dashboard path) do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openEngine } from '../support/chdb.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = join(ROOT, 'collector/docker-compose.yaml');
const COMPOSE_DIR = dirname(COMPOSE_FILE);
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'));
const services = compose.services as Record<string, Service>;

interface Service {
  image: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  working_dir?: string;
  entrypoint?: string[];
  command?: string[];
  restart?: string;
}

/** Bind mounts of a service: host path (resolved against the compose file) -> container path. */
function mounts(service: Service): Array<{ host: string; container: string }> {
  return (service.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source!.startsWith('.') || source!.startsWith('/'))
    .map(([source, container]) => ({ host: resolve(COMPOSE_DIR, source!), container: container! }));
}

function mountedFile(service: Service, container: string): string {
  const mount = mounts(service).find((m) => m.container === container);
  if (!mount) throw new Error(`${container} is not mounted`);
  return mount.host;
}

/** A YAML file without its comments (they mention `${env:VAR}` as documentation). */
const yamlWithoutComments = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');

const publishedPorts = (service: Service) =>
  (service.ports ?? []).map((port) => Number(port.split(':').at(-1)));

describe('collector/docker-compose.yaml', () => {
  it('has the four services, each from a pinned image', () => {
    expect(Object.keys(services).sort()).toEqual(['aicost-init', 'clickhouse', 'collector', 'grafana']);
    for (const service of Object.values(services)) expect(service.image).toMatch(/:[\w.-]+$/);
    // The collector image is the release collector/config.yaml is written for.
    const config = readFileSync(join(ROOT, 'collector/config.yaml'), 'utf8');
    const release = /otel\/opentelemetry-collector-contrib:([\d.]+)/.exec(config)![1];
    expect(services.collector!.image).toBe(`otel/opentelemetry-collector-contrib:${release}`);
  });

  it('runs the ClickHouse release line the schema is tested on (chDB engine)', async () => {
    const engine = openEngine();
    try {
      const [row] = engine.query<{ version: string }>('SELECT version() AS version');
      const releaseLine = row!.version.split('.').slice(0, 2).join('.');
      expect(services.clickhouse!.image).toBe(`clickhouse/clickhouse-server:${releaseLine}`);
    } finally {
      await engine.close();
    }
  });

  it('mounts only paths that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const { host } of mounts(service)) {
        expect(existsSync(host), `${name}: ${host}`).toBe(true);
      }
    }
  });

  it('leaves the schema to aicost migrate: no init scripts (the schema files are templates of @aicost/schema)', () => {
    expect(mounts(services.clickhouse!).map((m) => m.container)).not.toContain('/docker-entrypoint-initdb.d');
  });

  it('names the database once (AICOST_DATABASE, default otel) for the schema, the collector, the grants and Grafana', () => {
    const database = '${AICOST_DATABASE:-otel}';
    expect(services['aicost-init']!.environment!.AICOST_DATABASE).toBe(database);
    expect(services.collector!.environment!.CLICKHOUSE_DATABASE).toBe(database);
    expect(services.grafana!.environment!.AICOST_DATABASE).toBe(database);
    expect(services.clickhouse!.environment).toMatchObject({
      AICOST_WRITER_GRANT: `GRANT INSERT, SELECT ON ${database}.*`,
      AICOST_READER_GRANT: `GRANT SELECT ON ${database}.*`,
    });
    const datasource = yamlWithoutComments(join(ROOT, 'grafana/provisioning/datasources/clickhouse.yaml'));
    expect([...datasource.matchAll(/defaultDatabase: (.*)/g)].map((m) => m[1])).toEqual([
      '${AICOST_DATABASE}',
      '${AICOST_DATABASE}',
    ]);
  });

  it('runs the collector with collector/config.yaml and sets every variable it reads', () => {
    const collector = services.collector!;
    const configPath = mountedFile(collector, '/etc/otelcol-contrib/config.yaml');
    expect(configPath).toBe(join(ROOT, 'collector/config.yaml'));
    const referenced = [...yamlWithoutComments(configPath).matchAll(/\$\{env:(\w+)(?::-[^}]*)?\}/g)].map(
      (m) => m[1]!,
    );
    expect(referenced.length).toBeGreaterThan(5);
    for (const name of new Set(referenced)) expect(collector.environment, name).toHaveProperty(name);
    // It writes into the compose ClickHouse as the writer user of users.xml.
    expect(collector.environment!.CLICKHOUSE_ENDPOINT).toBe('http://clickhouse:8123');
    expect(collector.environment!.CLICKHOUSE_USERNAME).toBe('aicost_writer');
    expect(collector.depends_on?.clickhouse?.condition).toBe('service_healthy');
    // OTLP listeners are published on the ports the config listens on.
    for (const variable of ['AICOST_OTLP_GRPC_ENDPOINT', 'AICOST_OTLP_HTTP_ENDPOINT']) {
      const port = Number(String(collector.environment![variable]).split(':').at(-1));
      expect(publishedPorts(collector)).toContain(port);
    }
  });

  it('migrates and loads the price catalogue with the built CLI before the collector starts', () => {
    const init = services['aicost-init']!;
    // The repository's Node release, and the repository itself (read-only) as the working dir.
    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(init.image).toBe(`node:${rootPackage.devDependencies.node}-bookworm-slim`);
    const repo = mounts(init).find((m) => m.container === init.working_dir);
    expect(repo?.host).toBe(resolve(ROOT));
    expect(init.volumes).toContain(`..:${init.working_dir}:ro`);
    // The CLI's own bin (as package.json declares it): the schema, then the price catalogue, in one command.
    const cliPackage = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    const bin = join('packages/cli', cliPackage.bin.aicost);
    expect(init.entrypoint).toEqual(['sh', '-c']);
    const script = init.command!.join(' ');
    expect(script).toContain(`node ${bin} migrate --with-prices && exit 0`);
    expect(script).toMatch(/exit 1$/);
    expect(script).not.toContain('npx');
    // Against the compose ClickHouse, as the admin user (DDL, price tables), after it is healthy.
    expect(init.environment).toMatchObject({
      CLICKHOUSE_URL: 'http://clickhouse:8123',
      CLICKHOUSE_USER: 'default',
    });
    expect(init.environment!.CLICKHOUSE_PASSWORD).toBe(services.clickhouse!.environment!.CLICKHOUSE_PASSWORD);
    expect(services.clickhouse!.environment!.CLICKHOUSE_USER).toBe('default');
    expect(init.depends_on?.clickhouse?.condition).toBe('service_healthy');
    expect(init.restart).toBe('no');
    // The collector inserts only into a current schema with prices loaded.
    expect(services.collector!.depends_on?.['aicost-init']?.condition).toBe('service_completed_successfully');
  });

  it('creates the users the collector and Grafana log in as, with passwords from the environment', () => {
    const clickhouse = services.clickhouse!;
    const usersXml = readFileSync(
      mountedFile(clickhouse, '/etc/clickhouse-server/users.d/aicost.xml'),
      'utf8',
    );
    for (const user of ['aicost_writer', 'aicost_reader']) expect(usersXml).toContain(`<${user}>`);
    expect(usersXml).toMatch(
      /<aicost_reader>[\s\S]*<profile>aicost_readonly<\/profile>[\s\S]*<query from_env="AICOST_READER_GRANT"\/>/,
    );
    expect(usersXml).toMatch(/<readonly>2<\/readonly>/);
    const fromEnv = [...usersXml.matchAll(/from_env="(\w+)"/g)].map((m) => m[1]!);
    expect(fromEnv.sort()).toEqual([
      'AICOST_READER_GRANT',
      'AICOST_READER_PASSWORD',
      'AICOST_WRITER_GRANT',
      'AICOST_WRITER_PASSWORD',
    ]);
    for (const name of fromEnv) expect(clickhouse.environment, name).toHaveProperty(name);
    expect(publishedPorts(clickhouse)).toContain(8123);
  });

  it('gives Grafana the plugin, the provisioning and the dashboards it refers to', () => {
    const grafana = services.grafana!;
    const plugin = String(grafana.environment!.GF_INSTALL_PLUGINS);
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards/overview.json'), 'utf8'));
    const pluginVersion = dashboard.panels[0].targets[0].pluginVersion;
    expect(plugin).toBe(`grafana-clickhouse-datasource ${pluginVersion}`);

    const datasourceFile = join(
      mountedFile(grafana, '/etc/grafana/provisioning/datasources'),
      'clickhouse.yaml',
    );
    const datasourceText = yamlWithoutComments(datasourceFile);
    const [datasource] = parse(datasourceText).datasources;
    const referenced = [...datasourceText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    for (const name of new Set(referenced)) expect(grafana.environment, name).toHaveProperty(name);
    expect(grafana.environment!.AICOST_CLICKHOUSE_HOST).toBe('clickhouse');
    expect(datasource.jsonData).toMatchObject({ protocol: 'http', port: 8123, username: 'aicost_reader' });
    expect(datasource.uid).toBe(dashboard.panels[0].datasource.uid);

    const providerFile = join(mountedFile(grafana, '/etc/grafana/provisioning/dashboards'), 'aicost.yaml');
    const [provider] = parse(readFileSync(providerFile, 'utf8')).providers;
    const dashboardsDir = mountedFile(grafana, provider.options.path);
    expect(dashboardsDir).toBe(join(ROOT, 'grafana/dashboards'));
    const home = String(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(existsSync(join(dashboardsDir, home.slice(provider.options.path.length + 1)))).toBe(true);
    expect(publishedPorts(grafana)).toContain(3000);
  });

  it('requires the passwords instead of defaulting them', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    for (const name of [
      'CLICKHOUSE_ADMIN_PASSWORD',
      'AICOST_WRITER_PASSWORD',
      'AICOST_READER_PASSWORD',
      'GRAFANA_ADMIN_PASSWORD',
      'AICOST_OTLP_TOKEN',
    ]) {
      expect(text).toContain(`\${${name}:?`);
    }
  });
});
