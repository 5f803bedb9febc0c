import { describe, expect, test } from 'vitest';
import { parseMlStatement } from '../../src/statements/parser/parse-ml-statement.ts';
import { isMlStatement } from '../../src/statements/parser/is-ml-statement.ts';
import { expectError } from './support.ts';

const m = { name: 'm' };

describe('SHOW MODEL', () => {
  test.each([
    ['SHOW MODEL ALL', { kind: 'ShowModelAll' }],
    ['show model ALL;', { kind: 'ShowModelAll' }],
    ['SHOW MODEL "all"', { kind: 'ShowModel', model: { name: 'all' } }],
    ['SHOW MODEL public.M', { kind: 'ShowModel', model: { schema: 'public', name: 'm' } }],
    ['SHOW MODEL m VERSIONS', { kind: 'ShowModelVersions', model: m }],
    ['SHOW MODEL m VERSION 3', { kind: 'ShowModelVersion', model: m, version: 3 }],
    ['SHOW MODEL m EVALUATIONS', { kind: 'ShowModelEvaluations', model: m }],
    ['SHOW MODEL m DRIFT', { kind: 'ShowModelDrift', model: m }],
    ["SHOW MODEL m DRIFT SINCE '2024-01-01 00:00'", { kind: 'ShowModelDrift', model: m, since: '2024-01-01 00:00' }],
    ['SHOW MODEL m DRIFT FROM s.recent', { kind: 'ShowModelDrift', model: m, source: { kind: 'Table', table: { schema: 's', name: 'recent' } } }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('DRIFT FROM a query, then SINCE', () => {
    expect(parseMlStatement("show model m drift from (select * from t where d > now() - interval '1 day') since '2024-06-01'")).toEqual({
      kind: 'ShowModelDrift',
      model: m,
      source: { kind: 'Query', text: "select * from t where d > now() - interval '1 day'", start: 25 },
      since: '2024-06-01',
    });
  });

  test('errors', () => {
    expectError('SHOW MODEL m VERSION', '42601', 'syntax error at end of input', '<end>');
    expectError('SHOW MODEL m VERSION 0', '22023', 'model version must be between 1 and 2147483647', '0');
    expectError("SHOW MODEL m VERSION 'x'", '42601', `syntax error at or near "'x'"`, "'x'");
    expectError('SHOW MODEL m extra', '42601', 'syntax error at or near "extra"', 'extra');
    expectError('SHOW MODEL', '42601', 'syntax error at end of input', '<end>');
    expectError('SHOW MODEL a.b.c', '42601', 'syntax error at or near "."', '.c');
  });
});

describe('DROP MODEL', () => {
  test.each([
    ['DROP MODEL m', { kind: 'DropModel', ifExists: false, model: m, cascade: false }],
    ['drop model if exists "My Model"', { kind: 'DropModel', ifExists: true, model: { name: 'My Model' }, cascade: false }],
    ['DROP MODEL m CASCADE', { kind: 'DropModel', ifExists: false, model: m, cascade: true }],
    ['DROP MODEL m RESTRICT', { kind: 'DropModel', ifExists: false, model: m, cascade: false }],
    ['DROP MODEL m VERSION 2', { kind: 'DropModelVersion', ifExists: false, model: m, version: 2, cascade: false }],
    ['drop model m version 2 cascade', { kind: 'DropModelVersion', ifExists: false, model: m, version: 2, cascade: true }],
    ['DROP MODEL IF EXISTS s.m VERSION 7;', { kind: 'DropModelVersion', ifExists: true, model: { schema: 's', name: 'm' }, version: 7, cascade: false }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('errors', () => {
    expectError('DROP MODEL IF m', '42601', 'syntax error at or near "m"', 'm', 14);
    expectError('DROP MODEL m CASCADE RESTRICT', '42601', 'syntax error at or near "RESTRICT"', 'RESTRICT');
  });
});

describe('ALTER MODEL', () => {
  test.each([
    ['ALTER MODEL m RETRAIN', { kind: 'AlterModelRetrain', model: m, settings: {} }],
    ['ALTER MODEL m RETRAIN FROM t2', { kind: 'AlterModelRetrain', model: m, source: { kind: 'Table', table: { name: 't2' } }, settings: {} }],
    ['ALTER MODEL m RETRAIN SETTINGS (MAX_RUNTIME 600)', { kind: 'AlterModelRetrain', model: m, settings: { maxRuntime: 600 } }],
    ['ALTER MODEL m SET ACTIVE VERSION 2', { kind: 'AlterModelSetActiveVersion', model: m, version: 2 }],
    ['ALTER MODEL m SET ACTIVATION best', { kind: 'AlterModelSetActivation', model: m, activation: 'BEST' }],
    ['ALTER MODEL m SET ACTIVATION LATEST', { kind: 'AlterModelSetActivation', model: m, activation: 'LATEST' }],
    ['ALTER MODEL m SET ACTIVATION Manual', { kind: 'AlterModelSetActivation', model: m, activation: 'MANUAL' }],
    ['ALTER MODEL m ROLLBACK', { kind: 'AlterModelRollback', model: m }],
    ['ALTER MODEL m CANCEL', { kind: 'AlterModelCancel', model: m }],
    ['ALTER MODEL m STOP', { kind: 'AlterModelStop', model: m }],
    ['ALTER MODEL m START', { kind: 'AlterModelStart', model: m }],
    [
      'ALTER MODEL m START (MIN_INFERENCE_UNITS 1, MAX_INFERENCE_UNITS 4)',
      { kind: 'AlterModelStart', model: m, minInferenceUnits: 1, maxInferenceUnits: 4 },
    ],
    [
      "ALTER MODEL m SET MONITORING (CAPTURE_PERCENT 10, DRIFT_THRESHOLD 0.25, SCHEDULE '1 hour', RETRAIN_ON_DRIFT ON)",
      { kind: 'AlterModelSetMonitoring', model: m, monitoring: { capturePercent: 10, driftThreshold: 0.25, schedule: '1 hour', retrainOnDrift: true } },
    ],
    ['ALTER MODEL m SET MONITORING (retrain_on_drift off)', { kind: 'AlterModelSetMonitoring', model: m, monitoring: { retrainOnDrift: false } }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('RETRAIN FROM a query', () => {
    expect(parseMlStatement('alter model m retrain from (select * from t where y is not null) settings (max_cells 1000)')).toMatchObject({
      source: { kind: 'Query', text: 'select * from t where y is not null' },
      settings: { maxCells: 1000 },
    });
  });

  test('errors', () => {
    expectError('ALTER MODEL m RENAME TO n', '42601', 'syntax error at or near "RENAME"', 'RENAME');
    expectError('ALTER MODEL m SET ACTIVATION sometimes', '42601', 'syntax error at or near "sometimes"', 'sometimes');
    expectError('ALTER MODEL m SET ACTIVE VERSION -1', '42601', 'syntax error at or near "-"', '-');
    expectError('ALTER MODEL m SET MONITORING (CAPTURE_PERCENT 150)', '22023', 'CAPTURE_PERCENT must be between 0 and 100', '150');
    expectError('ALTER MODEL m SET MONITORING (DRIFT_THRESHOLD 0)', '22023', 'DRIFT_THRESHOLD must be greater than 0', '0)');
    expectError('ALTER MODEL m SET MONITORING (SCHEDULE 5)', '42601', 'syntax error at or near "5"', '5');
    expectError('ALTER MODEL m SET MONITORING (colour 5)', '42601', 'syntax error at or near "colour"', 'colour');
    expectError('ALTER MODEL m START (MIN_INFERENCE_UNITS 5, MAX_INFERENCE_UNITS 2)', '22023', 'MIN_INFERENCE_UNITS must not exceed MAX_INFERENCE_UNITS', 'MIN');
    expectError('ALTER MODEL m ROLLBACK 2', '42601', 'syntax error at or near "2"', '2');
  });
});

describe('WAIT FOR MODEL and EVALUATE MODEL', () => {
  test.each([
    ['WAIT FOR MODEL m', { kind: 'WaitForModel', model: m }],
    ['WAIT FOR MODEL m VERSION 2', { kind: 'WaitForModel', model: m, version: 2 }],
    ['wait for model m timeout 600', { kind: 'WaitForModel', model: m, timeoutSeconds: 600 }],
    ['WAIT FOR MODEL m VERSION 3 TIMEOUT 1.5;', { kind: 'WaitForModel', model: m, version: 3, timeoutSeconds: 1.5 }],
    ['EVALUATE MODEL m FROM holdout', { kind: 'EvaluateModel', model: m, source: { kind: 'Table', table: { name: 'holdout' } } }],
    ['EVALUATE MODEL m VERSION 2 FROM s.holdout', { kind: 'EvaluateModel', model: m, version: 2, source: { kind: 'Table', table: { schema: 's', name: 'holdout' } } }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('errors', () => {
    expectError('WAIT FOR MODEL m TIMEOUT 0', '22023', 'TIMEOUT must be a positive number of seconds', '0');
    expectError('WAIT FOR MODEL m TIMEOUT soon', '42601', 'syntax error at or near "soon"', 'soon');
    expectError('EVALUATE MODEL m', '42601', 'syntax error at end of input', '<end>');
    expectError('EVALUATE MODEL m FROM (select y frm t)', '42601', 'syntax error at or near "t"', 't)');
  });
});

describe('GRANT and REVOKE on models', () => {
  test.each([
    [
      'GRANT EXECUTE ON MODEL m TO analyst',
      { kind: 'GrantOnModel', privilege: { kind: 'ExecuteOnModel', models: [m] }, grantees: [{ kind: 'Role', name: 'analyst' }], withGrantOption: false },
    ],
    [
      'grant execute on model s.a, b to role r1, GROUP g2, "Bob", public with grant option',
      {
        kind: 'GrantOnModel',
        privilege: { kind: 'ExecuteOnModel', models: [{ schema: 's', name: 'a' }, { name: 'b' }] },
        grantees: [{ kind: 'Role', name: 'r1' }, { kind: 'Role', name: 'g2' }, { kind: 'Role', name: 'Bob' }, { kind: 'Public' }],
        withGrantOption: true,
      },
    ],
    ['GRANT CREATE MODEL TO data_scientist', { kind: 'GrantOnModel', privilege: { kind: 'CreateModel' }, grantees: [{ kind: 'Role', name: 'data_scientist' }], withGrantOption: false }],
    [
      'REVOKE EXECUTE ON MODEL m FROM analyst',
      { kind: 'RevokeOnModel', privilege: { kind: 'ExecuteOnModel', models: [m] }, grantees: [{ kind: 'Role', name: 'analyst' }], grantOptionFor: false, cascade: false },
    ],
    [
      'REVOKE GRANT OPTION FOR EXECUTE ON MODEL m FROM analyst CASCADE',
      { kind: 'RevokeOnModel', privilege: { kind: 'ExecuteOnModel', models: [m] }, grantees: [{ kind: 'Role', name: 'analyst' }], grantOptionFor: true, cascade: true },
    ],
    ['REVOKE CREATE MODEL FROM public', { kind: 'RevokeOnModel', privilege: { kind: 'CreateModel' }, grantees: [{ kind: 'Public' }], grantOptionFor: false, cascade: false }],
    ['GRANT EXECUTE ON MODEL m TO role', { kind: 'GrantOnModel', privilege: { kind: 'ExecuteOnModel', models: [m] }, grantees: [{ kind: 'Role', name: 'role' }], withGrantOption: false }],
  ])('%s', (sql, expected) => {
    expect(parseMlStatement(sql)).toEqual(expected);
  });

  test('errors', () => {
    expectError('GRANT EXECUTE ON MODEL m analyst', '42601', 'syntax error at or near "analyst"', 'analyst');
    expectError('REVOKE CREATE MODEL TO x', '42601', 'syntax error at or near "TO"', 'TO');
  });
});

describe('isMlStatement', () => {
  test.each([
    'CREATE MODEL m FROM t',
    'create or replace model m',
    'CREATE EXTERNAL MODEL m',
    '/* c */ SHOW MODEL ALL',
    '-- x\nDROP MODEL m',
    'alter model m stop',
    'WAIT FOR MODEL m',
    'EVALUATE MODEL m FROM t',
    'GRANT EXECUTE ON MODEL m TO r',
    'GRANT CREATE MODEL TO r',
    'REVOKE EXECUTE ON MODEL m FROM r',
    'REVOKE CREATE MODEL FROM r',
    'REVOKE GRANT OPTION FOR EXECUTE ON MODEL m FROM r',
  ])('yes: %s', (sql) => {
    expect(isMlStatement(sql)).toBe(true);
  });

  test.each([
    'SELECT 1',
    'CREATE TABLE model (x int)',
    'CREATE OR REPLACE FUNCTION model() RETURNS int',
    'SHOW search_path',
    'DROP TABLE model',
    'GRANT EXECUTE ON FUNCTION f() TO r',
    'GRANT CREATE ON SCHEMA s TO r',
    'REVOKE ALL ON model FROM r',
    'create "model" m',
    'WAIT',
    '',
  ])('no: %s', (sql) => {
    expect(isMlStatement(sql)).toBe(false);
  });

  test('parseMlStatement refuses other statements with a syntax error at their first word', () => {
    expectError('  SELECT 1', '42601', 'syntax error at or near "SELECT"', 'SELECT');
  });
});
