/**
 * The read-only ClickHouse HTTP interface of `aicost up`, served from the real
 * engine: every form that writes, changes settings or reaches outside the
 * store (files, URLs, other servers, programs) is refused, by the statement
 * check and by the engine's own readonly mode, and ordinary reads, including
 * @clickhouse/client with settings and query parameters, still work.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundAddressOf } from '../src/server/access.js';
import { createClickHouseHttpServer } from '../src/server/clickhouse-http.js';
import { loadEngineFunctions, readGuard } from '../src/server/read-guard.js';
import {
  calledFunctions,
  externalFunctionsOf,
  LOCAL_TABLE_FUNCTIONS,
  readOnlyViolation,
} from '../src/server/sql-text.js';
import { LocalEngine } from '../src/store/engine.js';

const work = mkdtempSync(join(tmpdir(), 'aicost-read-only-'));
const secret = join(work, 'secret.txt');
const SECRET = 'do-not-leak-4f1c';
let engine: LocalEngine;
let externalFunctions: ReadonlySet<string>;
const servers: Server[] = [];
let readOnlyUrl: string;
let writableUrl: string;
/** A loopback HTTP server that counts requests: url() and friends must never reach it. */
let canaryUrl: string;
let canaryHits = 0;

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  writeFileSync(secret, `${SECRET}\n`);
  engine = await LocalEngine.open(join(work, 'store'), { applySchema: false });
  await engine.query(
    'CREATE TABLE default.costs (feature String, nanos Int64) ENGINE = MergeTree ORDER BY feature',
  );
  await engine.query("INSERT INTO default.costs VALUES ('search', 1200), ('chat', 3400)");
  // A parameterised view (the schema's aicost_release_costs_between is one): called like a table function.
  await engine.query(
    'CREATE VIEW default.costs_over AS SELECT feature, nanos FROM default.costs WHERE nanos > {min:Int64}',
  );
  // A view named like a table function that reaches outside: its name must not let the table function through.
  await engine.query(
    'CREATE VIEW default.url AS SELECT feature FROM default.costs WHERE nanos > {min:Int64}',
  );
  const names = (await engine.query('SELECT name FROM system.table_functions'))
    .text()
    .split('\n')
    .filter(Boolean);
  externalFunctions = externalFunctionsOf(names);
  const version = (await engine.query('SELECT version()')).text().trim();
  const functions = await loadEngineFunctions(async (sql) => (await engine.query(sql)).text());
  const common = {
    engine,
    maxInsertBytes: 1 << 20,
    maxQueryBytes: 1 << 20,
    bodyTimeoutMs: 10_000,
    version,
    functions,
  };
  const serve = (writable: boolean) => {
    const server: Server = createClickHouseHttpServer({
      ...common,
      writable,
      bound: () => boundAddressOf(server, '127.0.0.1')(),
    });
    return server;
  };
  readOnlyUrl = await listen(serve(false));
  writableUrl = await listen(serve(true));
  canaryUrl = await listen(
    createServer((_req, res) => {
      canaryHits++;
      res.end('a\n');
    }),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  engine?.close();
  rmSync(work, { recursive: true, force: true });
});

async function post(url: string, sql: string, params: Record<string, string> = {}) {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${url}/${qs ? `?${qs}` : ''}`, { method: 'POST', body: sql });
  return { status: res.status, code: res.headers.get('x-clickhouse-exception-code'), text: await res.text() };
}

async function rowCount(): Promise<string> {
  return (await engine.query('SELECT count() FROM default.costs')).text().trim();
}

describe('the read-only check of a statement', () => {
  it('refuses every table function of the engine that is not local', async () => {
    const names = (await engine.query('SELECT name FROM system.table_functions'))
      .text()
      .split('\n')
      .filter(Boolean);
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) {
      const violation = readOnlyViolation(`SELECT * FROM ${name}('x')`, externalFunctions);
      if (LOCAL_TABLE_FUNCTIONS.has(name.toLowerCase())) expect(violation, name).toBeUndefined();
      else expect(violation, name).toMatch(/reaches outside the store/);
    }
  });

  it('finds function calls in any spelling, and not inside strings or comments', () => {
    expect(calledFunctions("SELECT * FROM `file`('/etc/hostname')")).toContain('file');
    expect(calledFunctions('SELECT * FROM "URL" (\'http://x\')')).toContain('url');
    expect(calledFunctions("SELECT * FROM FILE /* c */ ('/etc/hostname')")).toContain('file');
    expect(calledFunctions("SELECT 'file(x)' AS s -- url(y)\n")).toEqual([]);
    expect(calledFunctions('SELECT t.file, count() FROM t')).toEqual(['count']);
    expect(readOnlyViolation("SELECT domain(url) FROM t WHERE url LIKE 'https://%'")).toBeUndefined();
  });
});

describe("the engine's parse of a read", () => {
  it("lets the store's parameterised views through as table functions, but not a view named like an outside one", async () => {
    const functions = await loadEngineFunctions(async (sql) => (await engine.query(sql)).text());
    const astOf = async (sql: string) => (await engine.query(`EXPLAIN AST ${sql}`)).text();
    const view = await astOf('SELECT * FROM default.costs_over(min = 1)');
    expect(() => readGuard(view, functions)).not.toThrow();
    // A view `default.url` exists: `url(...)` is still the table function, and refused.
    const outside = await astOf("SELECT * FROM url('http://127.0.0.1:9/x', 'CSV', 'a String')");
    expect(() => readGuard(outside, functions)).toThrow(/url\(\) reaches outside the store/);
  });
});

describe('read-only ClickHouse HTTP interface', () => {
  const refused: [string, string][] = [
    ['file() table function', `SELECT * FROM file('${secret}', 'LineAsString')`],
    ['file() with a quoted name', `SELECT * FROM \`file\`('${secret}', 'LineAsString')`],
    ['file() in upper case', `SELECT * FROM FILE('${secret}', 'LineAsString')`],
    ['the scalar file() function', `SELECT file('${secret}')`],
    [
      'file() in a subquery that sets readonly=0',
      `SELECT * FROM (SELECT * FROM file('${secret}', 'LineAsString') SETTINGS readonly = 0)`,
    ],
    ['url()', `SELECT * FROM url('CANARY/x', 'LineAsString')`],
    ['s3()', `SELECT * FROM s3('CANARY/bucket/x.csv', 'LineAsString')`],
    ['remote()', `SELECT * FROM remote('127.0.0.1:1', system.one)`],
    ['executable()', `SELECT * FROM executable('cat ${secret}', 'LineAsString', 'a String')`],
    ['input()', "SELECT * FROM input('a String')"],
    ['filesystem()', `SELECT * FROM filesystem('${work}')`],
    ['INTO OUTFILE', `SELECT * FROM default.costs INTO OUTFILE '${join(work, 'out.txt')}'`],
    ['INSERT', "INSERT INTO default.costs VALUES ('x', 1)"],
    ['INSERT ... SELECT', 'INSERT INTO default.costs SELECT * FROM default.costs'],
    ['ALTER', 'ALTER TABLE default.costs DELETE WHERE 1'],
    ['DROP', 'DROP TABLE default.costs'],
    ['TRUNCATE', 'TRUNCATE TABLE default.costs'],
    ['CREATE', 'CREATE TABLE default.x (a UInt8) ENGINE = Memory'],
    ['SYSTEM', 'SYSTEM FLUSH LOGS'],
    ['SET', 'SET readonly = 0'],
    ['KILL', 'KILL QUERY WHERE 1'],
    ['a second statement', 'SELECT 1; DROP TABLE default.costs'],
  ];

  it.each(refused)(
    'refuses %s with 403 READONLY and leaves the store and the files alone',
    async (_name, sql) => {
      const res = await post(readOnlyUrl, sql.replace(/CANARY/g, canaryUrl));
      expect(res.status).toBe(403);
      expect(res.code).toBe('164');
      expect(res.text).toMatch(/READONLY/);
      expect(res.text).not.toContain(SECRET);
      expect(await rowCount()).toBe('2');
      expect(existsSync(join(work, 'out.txt'))).toBe(false);
      expect(canaryHits).toBe(0);
    },
  );

  it('refuses the same forms on a writable server when the request asks for readonly=1, and on GET', async () => {
    for (const [, sql] of refused) {
      const res = await post(writableUrl, sql.replace(/CANARY/g, canaryUrl), { readonly: '1' });
      expect(res.status, sql).toBe(403);
    }
    const get = await fetch(`${writableUrl}/?query=${encodeURIComponent(`SELECT * FROM file('${secret}')`)}`);
    expect(get.status).toBe(403);
    expect(await get.text()).not.toContain(SECRET);
    expect(await rowCount()).toBe('2');
    expect(canaryHits).toBe(0);
  });

  it('does not let URL settings lift read-only', async () => {
    const attempts: Record<string, string>[] = [
      { readonly: '0' },
      { readonly: '2' },
      { allow_ddl: '1' },
      { READONLY: '0' },
    ];
    for (const params of attempts) {
      const res = await post(readOnlyUrl, `SELECT * FROM file('${secret}', 'LineAsString')`, params);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain(SECRET);
      expect((await post(readOnlyUrl, 'DROP TABLE default.costs', params)).status).toBe(403);
    }
    expect(await rowCount()).toBe('2');
  });

  it('keeps the engine read-only for a statement the text check lets through', async () => {
    // Defence in depth: the engine itself refuses writes (readonly) and file access (no SOURCES grant).
    await expect(engine.queryReadOnly(`SELECT * FROM file('${secret}', 'LineAsString')`)).rejects.toThrow(
      /ACCESS_DENIED/,
    );
    await expect(engine.query(`SELECT * FROM url('${canaryUrl}/x', 'LineAsString')`)).rejects.toThrow(
      /ACCESS_DENIED/,
    );
    await expect(engine.queryReadOnly("INSERT INTO default.costs VALUES ('x', 1)")).rejects.toThrow(
      /READONLY/,
    );
    await expect(engine.queryReadOnly('SELECT 1 SETTINGS readonly = 0')).rejects.toThrow(/READONLY/);
    // ...and the shared session is untouched: it still writes.
    await engine.query("INSERT INTO default.costs VALUES ('tmp', 1)");
    await engine.query("DELETE FROM default.costs WHERE feature = 'tmp'");
    expect(await rowCount()).toBe('2');
  });

  it('answers a syntax error as a syntax error, not as read-only', async () => {
    const res = await post(readOnlyUrl, 'SELEC 1');
    expect(res.status).toBe(400);
    expect(res.code).toBe('62');
  });

  it('still answers SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS and local table functions', async () => {
    expect((await post(readOnlyUrl, 'SELECT feature, nanos FROM default.costs ORDER BY feature')).text).toBe(
      'chat\t3400\nsearch\t1200\n',
    );
    expect((await post(readOnlyUrl, 'WITH 2 AS k SELECT sum(nanos) * k FROM default.costs')).text).toBe(
      '9200\n',
    );
    expect((await post(readOnlyUrl, 'SHOW TABLES FROM default')).text).toContain('costs');
    expect((await post(readOnlyUrl, 'DESCRIBE TABLE default.costs')).text).toMatch(/^feature\tString/);
    expect((await post(readOnlyUrl, 'EXPLAIN SELECT 1')).status).toBe(200);
    expect((await post(readOnlyUrl, 'EXISTS TABLE default.costs')).text).toBe('1\n');
    expect((await post(readOnlyUrl, 'SELECT sum(number) FROM numbers(4)')).text).toBe('6\n');
    expect((await post(readOnlyUrl, "SELECT feature FROM merge('default', '^costs$') ORDER BY 1")).text).toBe(
      'chat\nsearch\n',
    );
    expect((await post(readOnlyUrl, 'SELECT url FROM (SELECT 1 AS url)')).text).toBe('1\n');
    // The store's parameterised views, qualified or not; a view that is not the store's is still refused.
    expect((await post(readOnlyUrl, 'SELECT feature, nanos FROM default.costs_over(min = 2000)')).text).toBe(
      'chat\t3400\n',
    );
    expect((await post(readOnlyUrl, 'SELECT count() FROM costs_over(min = 0)')).text).toBe('2\n');
    expect((await post(readOnlyUrl, 'SELECT * FROM default.not_a_view(min = 0)')).text).toMatch(
      /reaches outside the store/,
    );

    // Settings in the URL apply to the request (set before the connection turns read-only).
    expect(
      (
        await post(readOnlyUrl, "SELECT getSetting('max_threads'), getSetting('readonly')", {
          max_threads: '3',
        })
      ).text,
    ).toBe('3\t1\n');
  });

  it('serves @clickhouse/client: settings, query parameters, database, formats', async () => {
    const client = createClient({
      url: readOnlyUrl,
      database: 'default',
      clickhouse_settings: { max_execution_time: 30, output_format_json_quote_64bit_integers: 1 },
    });
    try {
      const rs = await client.query({
        query: 'SELECT feature, nanos FROM costs WHERE nanos > {min:Int64} ORDER BY feature',
        query_params: { min: 1000 },
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([
        { feature: 'chat', nanos: '3400' },
        { feature: 'search', nanos: '1200' },
      ]);
      expect((await client.ping()).success).toBe(true);
      await expect(client.command({ query: 'DROP TABLE costs' })).rejects.toThrow(/read-only|READONLY/i);
      await expect(
        client.query({ query: `SELECT * FROM file('${secret}', 'LineAsString')`, format: 'JSONEachRow' }),
      ).rejects.toThrow(/read-only: file\(\) reaches outside the store/);
    } finally {
      await client.close();
    }
    expect(await rowCount()).toBe('2');
  });
});
