import { describe, expect, test } from 'vitest';
import { evaluate } from '../../src/training/data/arith-expr.ts';
import { datePartsOf } from '../../src/training/data/date-parts.ts';
import { secondsOf, timeOfDaySeconds } from '../../src/training/data/input-values.ts';

describe('date and time parts', () => {
  test('civil-from-days matches the calendar, before and after 1970, leap days included', () => {
    const days: number[] = [];
    for (let d = -200000; d <= 200000; d += 37) days.push(d);
    days.push(-719468, 11016, 11017, 11046, 11047, 19782, 19783); // 0000-03-01, 2000-02-29 area, 2024-02-29 area
    const seconds = Float64Array.from(days, (d) => d * 86400);
    const parts = datePartsOf('date');
    const memo = new Map();
    const values = Object.fromEntries(parts.map((p) => [p.name, evaluate(p.expr, seconds, memo)]));
    days.forEach((d, i) => {
      const date = new Date(d * 86400 * 1000);
      expect([values.epoch_days[i], values.year[i], values.month[i], values.day[i], values.dow[i]]).toEqual([
        d, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay(),
      ]);
    });
  });

  test('timestamp parts include the hour of day with its fraction', () => {
    const ts = new Date(Date.UTC(1969, 6, 20, 20, 17, 40));
    const seconds = Float64Array.of(secondsOf('timestamptz', ts));
    const memo = new Map();
    const got = datePartsOf('timestamptz').map((p) => evaluate(p.expr, seconds, memo)[0]);
    expect(got.slice(1, 5)).toEqual([1969, 7, 20, 0]);
    expect(got[5]).toBeCloseTo(20 + 17 / 60 + 40 / 3600, 12);
    expect(got[0]).toBeCloseTo(ts.getTime() / 86400000, 12);
  });

  test('time values are read as seconds since midnight', () => {
    expect(timeOfDaySeconds('00:00:00')).toBe(0);
    expect(timeOfDaySeconds('13:45:30.25')).toBe(13 * 3600 + 45 * 60 + 30.25);
    expect(timeOfDaySeconds('23:59:59.999999+02')).toBeCloseTo(86399.999999, 9);
    expect(Number.isNaN(secondsOf('time', null))).toBe(true);
    expect(datePartsOf('time').map((p) => evaluate(p.expr, Float64Array.of(5400))[0])).toEqual([1.5]);
  });
});
