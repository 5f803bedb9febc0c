import { expect, test } from 'vitest';
import { firstWords, splitStatements } from '../../src/sql/split-statements.ts';
import { pgPosition, offsetOfCodePoint, positionInWhole } from '../../src/sql/position.ts';

test.each([
  ['CREATE MODEL m FROM t', 2, ['create', 'model']],
  ['  create  Or REPLACE model m', 4, ['create', 'or', 'replace', 'model']],
  ['-- a comment\n/* and /* nested */ one */ SHOW MODEL ALL', 3, ['show', 'model', 'all']],
  ['wait for model m', 3, ['wait', 'for', 'model']],
  ['select(1)', 3, ['select']],
  ['"create" model', 2, []],
  ["E'x' model", 2, []],
  ['/* unterminated', 2, []],
  ['', 2, []],
  ['DROP\nMODEL\tx', 5, ['drop', 'model', 'x']],
])('firstWords(%j, %d)', (sql, n, expected) => {
  expect(firstWords(sql, n)).toEqual(expected);
});

test('pgPosition counts characters from 1; surrogate pairs are one character', () => {
  const sql = "select '😀é', x";
  expect(pgPosition(sql, 0)).toBe(1);
  expect(pgPosition(sql, sql.indexOf('x'))).toBe(14);
  expect(pgPosition(sql, sql.length)).toBe(15);
  expect(offsetOfCodePoint(sql, 13)).toBe(sql.indexOf('x'));
});

test('positionInWhole moves a statement-relative position into the whole query string', () => {
  const whole = "select 'é😀'; SHOW MODEL m oops";
  const [, second] = splitStatements(whole);
  const inStatement = [...second.text.slice(0, second.text.indexOf('oops'))].length + 1;
  expect(positionInWhole(whole, second.start, inStatement)).toBe([...whole.slice(0, whole.indexOf('oops'))].length + 1);
});
