// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Grafana variable syntax (${var}, ${var:format}) in SQL strings
/**
 * The query expander of test/support/grafana.ts, pinned to what the plugin and Grafana do
 * (read from grafana/clickhouse-datasource 4.20 CHDatasource.ts + its tests, pkg/macros, and
 * Scenes' interpolation). The dashboards test trusts it to turn panel SQL into what ClickHouse
 * would receive.
 */
import { describe, expect, it } from 'vitest';
import {
  applyConditionalAll,
  expandMacros,
  expandQuery,
  interpolateVariables,
  type QueryContext,
  stripComments,
  type VariableState,
} from '../support/grafana.js';

const FROM = new Date('2026-11-10T00:00:00Z');
const TO = new Date('2026-11-13T00:00:00Z');
const FROM_S = FROM.getTime() / 1000;
const TO_S = TO.getTime() / 1000;
const ctx = (variables: VariableState[] = [], intervalMs = 60_000): QueryContext => ({
  from: FROM,
  to: TO,
  intervalMs,
  variables,
});

describe('$__conditionalAll (before variables)', () => {
  it('keeps the phrase for a selection and writes 1=1 for All, as the plugin tests pin', () => {
    // The plugin's own cases: current.value "'val1', 'val2'" keeps `foo`, '$__all' gives 1=1.
    expect(
      applyConditionalAll('$__conditionalAll(foo, $fieldVal)', [
        { name: 'fieldVal', value: "'val1', 'val2'" },
      ]),
    ).toBe('foo');
    expect(
      applyConditionalAll('$__conditionalAll(foo, $fieldVal)', [{ name: 'fieldVal', value: '$__all' }]),
    ).toBe('1=1');
  });

  it('treats a multi-value All (["$__all"]) and an empty selection as All', () => {
    const sql = 'WHERE $__conditionalAll(f IN (${feature:singlequote}), $feature)';
    expect(applyConditionalAll(sql, [{ name: 'feature', value: ['$__all'] }])).toBe('WHERE 1=1');
    expect(applyConditionalAll(sql, [{ name: 'feature', value: [] }])).toBe('WHERE 1=1');
    expect(applyConditionalAll(sql, [{ name: 'feature', value: ['a', 'b'] }])).toBe(
      'WHERE f IN (${feature:singlequote})',
    );
  });

  it('recognises $name and ${name} but not ${name:format} as its second argument', () => {
    const all: VariableState[] = [{ name: 'v', value: '$__all' }];
    expect(applyConditionalAll('$__conditionalAll(x = 1, ${v})', all)).toBe('1=1');
    // The trap: with a format the variable is not found, so the filter stays even for All.
    expect(applyConditionalAll('$__conditionalAll(x = 1, ${v:singlequote})', all)).toBe('x = 1');
  });

  it('splits arguments by parentheses only (commas inside calls and strings with parentheses are fine)', () => {
    const sql =
      "$__conditionalAll(if(f = '', '(none)', f) IN ('a','b'), $f) AND $__conditionalAll(g = 2, $g)";
    const variables: VariableState[] = [
      { name: 'f', value: ['a', 'b'] },
      { name: 'g', value: '$__all' },
    ];
    expect(applyConditionalAll(sql, variables)).toBe("if(f = '', '(none)', f) IN ('a','b') AND 1=1");
  });

  it('keeps the phrase untrimmed and leaves unknown variables filtered', () => {
    expect(applyConditionalAll('$__conditionalAll( a = 1 , $nope)', [])).toBe(' a = 1 ');
  });
});

describe('variable interpolation (Grafana, with the plugin default format)', () => {
  it('quotes a multi-value array without escaping and inserts a single value raw', () => {
    expect(interpolateVariables('IN ($c)', [{ name: 'c', value: ['acme', "o'reilly"] }])).toBe(
      "IN ('acme','o'reilly')",
    );
    expect(interpolateVariables('= $c', [{ name: 'c', value: 'acme' }])).toBe('= acme');
    expect(interpolateVariables('IN ($c)', [{ name: 'c', value: ['acme'] }])).toBe("IN ('acme')");
  });

  it('formats :singlequote (escaped), :csv, :raw, :sqlstring, :doublequote', () => {
    const variables: VariableState[] = [{ name: 'c', value: ['acme', "o'reilly"] }];
    expect(interpolateVariables('${c:singlequote}', variables)).toBe("'acme','o\\'reilly'");
    expect(interpolateVariables('${c:csv}', variables)).toBe("acme,o'reilly");
    expect(interpolateVariables('${c:raw}', variables)).toBe("acme,o'reilly");
    expect(interpolateVariables('${c:sqlstring}', variables)).toBe("'acme','o''reilly'");
    expect(interpolateVariables('${c:doublequote}', variables)).toBe('"acme","o\'reilly"');
    expect(interpolateVariables('[[c:csv]]', variables)).toBe("acme,o'reilly");
  });

  it('writes the custom all value unformatted, or every option without one', () => {
    const custom: VariableState[] = [
      { name: 'f', value: ['$__all'], allValue: '$__all', options: ['a', 'b'] },
    ];
    expect(interpolateVariables('${f:singlequote} $f', custom)).toBe('$__all $__all');
    const noCustom: VariableState[] = [{ name: 'f', value: '$__all', allValue: null, options: ['a', 'b'] }];
    expect(interpolateVariables('${f:singlequote} $f ${f:csv}', noCustom)).toBe("'a','b' 'a','b' a,b");
  });

  it('leaves macros and unknown names alone, and fills Grafana interval variables', () => {
    const sql = '$__timeFilter(t) $__interval_s $__interval $__interval_ms $missing';
    expect(interpolateVariables(sql, [], { __interval: '1h', __interval_ms: '3600000' })).toBe(
      '$__timeFilter(t) $__interval_s 1h 3600000 $missing',
    );
  });
});

describe('backend macros', () => {
  it('expands the time macros to Unix seconds, milliseconds and dates', () => {
    expect(expandMacros('$__timeFilter(ts)', ctx())).toBe(
      `ts >= toDateTime(${FROM_S}) AND ts <= toDateTime(${TO_S})`,
    );
    expect(expandMacros('$__fromTime $__toTime', ctx())).toBe(`toDateTime(${FROM_S}) toDateTime(${TO_S})`);
    expect(expandMacros('$__timeFilter_ms(ts)', ctx())).toBe(
      `ts >= fromUnixTimestamp64Milli(${FROM.getTime()}) AND ts <= fromUnixTimestamp64Milli(${TO.getTime()})`,
    );
    expect(expandMacros('$__dateFilter(d)', ctx())).toBe(
      "d >= toDate('2026-11-10') AND d <= toDate('2026-11-13')",
    );
    expect(expandMacros('$__timeFrom(ts) AND $__timeTo(ts)', ctx())).toBe(
      `ts >= toDateTime(${FROM_S}) AND ts <= toDateTime(${TO_S})`,
    );
  });

  it('expands intervals in whole seconds, at least 1', () => {
    expect(expandMacros('$__timeInterval(ts)', ctx([], 300_000))).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)',
    );
    expect(expandMacros('$__interval_s', ctx([], 20))).toBe('1');
    expect(expandMacros('$__interval $__interval_ms', ctx([], 3_600_000))).toBe('1h 3600000');
    expect(expandMacros("$__timeGroup(ts, '5m')", ctx())).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)',
    );
  });

  it('matches the longest name first and whole names only', () => {
    expect(expandMacros('$__timeFilter_ms(a) $__timeFilter(b) $__timeFilterX', ctx())).toBe(
      `a >= fromUnixTimestamp64Milli(${FROM.getTime()}) AND a <= fromUnixTimestamp64Milli(${TO.getTime()}) ` +
        `b >= toDateTime(${FROM_S}) AND b <= toDateTime(${TO_S}) $__timeFilterX`,
    );
  });

  it('blanks comments first (a macro in a comment is not expanded) and keeps string literals', () => {
    expect(stripComments("a -- $__fromTime\nb /* x */ 'it''s -- not' `--`")).toBe(
      "a               \nb         'it''s -- not' `--`",
    );
    expect(expandMacros("SELECT 'don\\'t -- stop', $__fromTime", ctx())).toBe(
      `SELECT 'don\\'t -- stop', toDateTime(${FROM_S})`,
    );
  });

  it('rejects a wrong argument count like the plugin', () => {
    expect(() => expandMacros('$__timeFilter(a, b)', ctx())).toThrow(/expected 1 argument/);
    expect(() => expandMacros('$__timeFilter', ctx())).toThrow(/expected 1 argument/);
  });
});

describe('the whole pipeline', () => {
  it('runs conditionalAll, then variables, then macros', () => {
    const sql =
      'SELECT 1 WHERE $__timeFilter(ts) AND $__conditionalAll(f IN (${f:singlequote}), $f) AND $__conditionalAll(c IN (${c:singlequote}), $c)';
    const variables: VariableState[] = [
      { name: 'f', value: ['$__all'], allValue: '$__all' },
      { name: 'c', value: ["o'reilly"], allValue: '$__all' },
    ];
    expect(expandQuery(sql, ctx(variables))).toBe(
      `SELECT 1 WHERE ts >= toDateTime(${FROM_S}) AND ts <= toDateTime(${TO_S}) AND 1=1 AND c IN ('o\\'reilly')`,
    );
  });
});
