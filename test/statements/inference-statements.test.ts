import { describe, expect, test } from 'vitest';
import { parseMlStatement } from '../../src/statements/parser/parse-ml-statement.ts';
import { isMlStatement } from '../../src/statements/parser/is-ml-statement.ts';
import { expectError } from './support.ts';

const s = { name: 's' };

describe('INFERENCE SCHEDULE statements', () => {
  test.each([
    [
      "CREATE INFERENCE SCHEDULE s FOR MODEL m FROM events KEY id INTO out EVERY '5 minutes'",
      { kind: 'CreateInferenceSchedule', schedule: s, model: { name: 'm' }, source: { kind: 'Table', table: { name: 'events' } }, key: 'id', target: { name: 'out' }, every: '5 minutes' },
    ],
    [
      `create inference schedule x.S for model y.M from (select * from t) key "At" into z.o every '1 hour' start at '2030-01-01 00:00' delay '5 minutes';`,
      {
        kind: 'CreateInferenceSchedule',
        schedule: { schema: 'x', name: 's' },
        model: { schema: 'y', name: 'm' },
        source: { kind: 'Query', text: 'select * from t', start: 50 },
        key: 'At',
        target: { schema: 'z', name: 'o' },
        every: '1 hour',
        delay: '5 minutes',
        startAt: '2030-01-01 00:00',
      },
    ],
    ['ALTER INFERENCE SCHEDULE s STOP', { kind: 'AlterInferenceSchedule', schedule: s, action: 'STOP' }],
    ['alter inference schedule s start', { kind: 'AlterInferenceSchedule', schedule: s, action: 'START' }],
    ['ALTER INFERENCE SCHEDULE s RUN NOW;', { kind: 'AlterInferenceSchedule', schedule: s, action: 'RUN NOW' }],
    ['DROP INFERENCE SCHEDULE s', { kind: 'DropInferenceSchedule', schedule: s, ifExists: false }],
    ['DROP INFERENCE SCHEDULE IF EXISTS a.s', { kind: 'DropInferenceSchedule', schedule: { schema: 'a', name: 's' }, ifExists: true }],
    ['SHOW INFERENCE SCHEDULE s', { kind: 'ShowInferenceSchedule', schedule: s }],
    ['SHOW INFERENCE SCHEDULES', { kind: 'ShowInferenceSchedules' }],
    ['SHOW INFERENCE EXECUTIONS FOR s', { kind: 'ShowInferenceExecutions', schedule: s }],
    ['SHOW INFERENCE EXECUTIONS FOR s LIMIT 10', { kind: 'ShowInferenceExecutions', schedule: s, limit: 10 }],
  ])('%s', (sql, expected) => {
    expect(isMlStatement(sql)).toBe(true);
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('errors point at the token', () => {
    expectError("CREATE INFERENCE SCHEDULE s FOR MODEL m FROM t KEY id INTO o", '42601', 'syntax error at end of input', '<end>');
    expectError("CREATE INFERENCE SCHEDULE s FOR MODEL m FROM t KEY id INTO o EVERY 5", '42601', 'syntax error at or near "5"', '5');
    expectError("CREATE INFERENCE SCHEDULE s FOR MODEL m FROM t INTO o EVERY '1 hour'", '42601', 'syntax error at or near "INTO"', 'INTO');
    expectError("CREATE INFERENCE SCHEDULE s FOR MODEL m FROM t KEY id INTO o EVERY '1 hour' DELAY '1 minute' DELAY '2 minutes'", '42601', 'syntax error at or near "DELAY"', 'DELAY', 90);
    expectError('ALTER INFERENCE SCHEDULE s PAUSE', '42601', 'syntax error at or near "PAUSE"', 'PAUSE');
    expectError('ALTER INFERENCE SCHEDULE s RUN', '42601', 'syntax error at end of input', '<end>');
    expectError('SHOW INFERENCE EXECUTIONS s', '42601', 'syntax error at or near "s"', 's', 26);
    expectError('SHOW INFERENCE EXECUTIONS FOR s LIMIT x', '42601', 'syntax error at or near "x"', 'x');
  });

  test('PostgreSQL statements that merely begin alike are not taken', () => {
    expect(isMlStatement('SHOW search_path')).toBe(false);
    expect(isMlStatement('CREATE TABLE inference (id int)')).toBe(false);
    expect(isMlStatement('DROP TABLE inference_schedule')).toBe(false);
  });
});

describe('ALTER MODEL ... START / STOP / SET INFERENCE', () => {
  const m = { name: 'm' };
  test.each([
    ['ALTER MODEL m START', { kind: 'AlterModelStart', model: m }],
    ['ALTER MODEL m START (MAX_INFERENCE_UNITS 4, MIN_INFERENCE_UNITS 2)', { kind: 'AlterModelStart', model: m, minInferenceUnits: 2, maxInferenceUnits: 4 }],
    ['ALTER MODEL m STOP', { kind: 'AlterModelStop', model: m }],
    ['ALTER MODEL m SET INFERENCE (REQUIRE_START ON)', { kind: 'AlterModelSetInference', model: m, requireStart: true }],
    ['alter model m set inference ( require_start off )', { kind: 'AlterModelSetInference', model: m, requireStart: false }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('errors', () => {
    expectError('ALTER MODEL m START (MIN_INFERENCE_UNITS 3, MAX_INFERENCE_UNITS 2)', '22023', 'MIN_INFERENCE_UNITS must not exceed MAX_INFERENCE_UNITS', 'MIN_INFERENCE_UNITS');
    expectError('ALTER MODEL m SET INFERENCE (REQUIRE_START)', '42601', 'syntax error at or near ")"', ')');
    expectError('ALTER MODEL m SET INFERENCE (WARM ON)', '42601', 'syntax error at or near "WARM"', 'WARM');
    expectError('ALTER MODEL m SET INFERENCE REQUIRE_START ON', '42601', 'syntax error at or near "REQUIRE_START"', 'REQUIRE_START');
  });
});
