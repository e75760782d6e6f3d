/**
 * The Grafana reader (collector/clickhouse/users.xml, profile aicost_readonly) runs with
 * readonly=2 so that the plugin can send its query settings, which also lets it change its own
 * limits. The profile's <constraints> must stop that. Checked on the engine: the profiles of
 * users.xml loaded as the engine's users configuration (what the server does with users.d/),
 * the profile set, then every limit raised and every pinned setting changed must fail with
 * SETTING_CONSTRAINT_VIOLATION, and every limit at or below its ceiling must pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USERS_XML = readFileSync(join(ROOT, 'collector/clickhouse/users.xml'), 'utf8');
const PROFILES = /<profiles>[\s\S]*<\/profiles>/.exec(USERS_XML)![0];
const READER_PROFILE = /<aicost_readonly>([\s\S]*?)<\/aicost_readonly>/.exec(PROFILES)![1]!;
const CONSTRAINTS = /<constraints>([\s\S]*?)<\/constraints>/.exec(READER_PROFILE)?.[1] ?? '';

interface Constraint {
  setting: string;
  min?: number;
  max?: number;
  pinned: boolean;
}

const constraints: Constraint[] = [...CONSTRAINTS.matchAll(/<(\w+)>([\s\S]*?)<\/\1>/g)].map(
  ([, setting, body]) => ({
    setting: setting!,
    min:
      /<min>(\d+)<\/min>/.exec(body!)?.[1] === undefined
        ? undefined
        : Number(/<min>(\d+)<\/min>/.exec(body!)![1]),
    max:
      /<max>(\d+)<\/max>/.exec(body!)?.[1] === undefined
        ? undefined
        : Number(/<max>(\d+)<\/max>/.exec(body!)![1]),
    pinned: /<readonly\/>|<const\/>/.test(body!),
  }),
);
/** The limits the profile sets (outside <constraints>). */
const limits = new Map(
  [
    ...READER_PROFILE.replace(/<constraints>[\s\S]*<\/constraints>/, '').matchAll(/<(max_\w+)>(\d+)<\/\1>/g),
  ].map(([, name, value]) => [name!, Number(value)]),
);

let dir: string;
let session: Session;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aicost-reader-constraints-'));
  const config = join(dir, 'config.xml');
  // The engine reads users (and their profiles) from the users_xml directory named here.
  writeFileSync(
    config,
    `<clickhouse>
  <user_directories><users_xml><path>${config}</path></users_xml></user_directories>
  ${PROFILES.replace('<profiles>', '<profiles>\n<default/>')}
  <users><default><no_password/><profile>default</profile><networks><ip>::/0</ip></networks></default></users>
</clickhouse>`,
  );
  session = new Session(join(dir, 'data'), { connectionArgs: [`--config-file=${config}`] });
  session.query("SET profile = 'aicost_readonly'", 'Null');
});
afterAll(() => {
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

const attempt = (settings: string) => () => session.query(`SELECT 1 SETTINGS ${settings}`, 'TSV');

describe('the Grafana reader profile (users.xml aicost_readonly)', () => {
  it('caps every limit it sets: the ceiling is the profile value, and 0 ("no limit") is below the floor', () => {
    expect([...limits.keys()].sort()).toEqual([
      'max_concurrent_queries_for_user',
      'max_execution_time',
      'max_memory_usage',
      'max_threads',
    ]);
    for (const [setting, value] of limits) {
      expect(
        constraints.find((c) => c.setting === setting),
        setting,
      ).toMatchObject({ min: 1, max: value });
    }
  });

  it('refuses a limit raised above its ceiling, on the engine', () => {
    for (const { setting, max } of constraints.filter((c) => c.max !== undefined)) {
      expect(attempt(`${setting} = ${max! + 1}`), setting).toThrow(
        /SETTING_CONSTRAINT_VIOLATION|greater than/,
      );
      expect(attempt(`${setting} = ${max}`)(), setting).toBe('1\n');
    }
  });

  it('refuses the pinned settings: file-naming format settings, disk spills, introspection', () => {
    const pinned = constraints.filter((c) => c.pinned).map((c) => c.setting);
    expect(pinned).toEqual(
      expect.arrayContaining([
        'output_format_schema',
        'format_schema',
        'format_template_row',
        'format_template_resultset',
        'max_bytes_before_external_group_by',
        'allow_introspection_functions',
      ]),
    );
    for (const setting of pinned) {
      // A value other than the current one (setting a setting to its current value is no change).
      const current = session
        .query(`SELECT value FROM system.settings WHERE name = '${setting}'`, 'TSV')
        .trim();
      const other = /^\d+$/.test(current)
        ? current === '1'
          ? '0'
          : String(Number(current) + 1)
        : "'/etc/passwd'";
      expect(attempt(`${setting} = ${other}`), setting).toThrow(
        /SETTING_CONSTRAINT_VIOLATION|should not be changed/,
      );
    }
  });

  it("leaves room for the datasource's query timeout, which the plugin sends as max_execution_time", () => {
    const datasource = parse(
      readFileSync(join(ROOT, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8'),
    ).datasources[0];
    const timeout = Number(datasource.jsonData.queryTimeout);
    expect(timeout).toBeGreaterThan(0);
    expect(attempt(`max_execution_time = ${timeout}`)()).toBe('1\n');
  });
});
