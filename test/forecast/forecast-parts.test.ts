import { describe, expect, test } from 'vitest';
import { bucketOf, bucketStart } from '../../src/forecast/frequency.ts';
import { parsePercentiles, percentileOffsets, type Percentile } from '../../src/forecast/percentiles.ts';
import { prepareSeries } from '../../src/forecast/series.ts';
import { drift, seasonalNaive } from '../../src/forecast/simple-methods.ts';

const at = (iso: string) => Date.parse(`${iso}Z`) / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16);

describe('forecast parts', () => {
  test("buckets start where PostgreSQL's date_trunc puts them", () => {
    // 2024-05-01 was a Wednesday: its week starts Monday 2024-04-29.
    expect(iso(bucketStart('W', bucketOf('W', at('2024-05-01T13:45'))))).toBe('2024-04-29T00:00');
    expect(iso(bucketStart('W', bucketOf('W', at('2024-04-29T00:00'))))).toBe('2024-04-29T00:00');
    expect(iso(bucketStart('W', bucketOf('W', at('2024-04-28T23:59'))))).toBe('2024-04-22T00:00');
    expect(iso(bucketStart('Y', bucketOf('Y', at('2023-12-31T23:59')) + 1))).toBe('2024-01-01T00:00');
    expect(iso(bucketStart('M', bucketOf('M', at('2023-12-15T00:00')) + 2))).toBe('2024-02-01T00:00');
    expect(iso(bucketStart('15min', bucketOf('15min', at('2024-05-01T13:44'))))).toBe('2024-05-01T13:30');
    expect(iso(bucketStart('5min', bucketOf('5min', at('1969-12-31T23:58'))))).toBe('1969-12-31T23:55');
  });

  test('rows are summed per bucket, gaps are 0, NULL targets and ids count for nothing', () => {
    const series = prepareSeries(
      {
        ids: ['x', 'x', 'x', 'x', null, 'y'],
        times: [at('2024-01-01T00:00'), at('2024-01-01T20:00'), at('2024-01-04T08:00'), at('2024-01-02T00:00'), at('2024-01-02T00:00'), at('2024-01-01T00:00')],
        targets: [1, 2, 5, null, 9, 4],
      },
      'D',
    );
    expect(series.map((s) => [s.id, iso(bucketStart('D', s.firstBucket)), s.values])).toEqual([
      ['x', '2024-01-01T00:00', [3, 0, 0, 5]],
      ['y', '2024-01-01T00:00', [4]],
    ]);
  });

  test('a series spanning more steps than one training may hold is refused, saying why', () => {
    const rows = { ids: ['x', 'x'], times: [at('2000-01-01T00:00'), at('2050-01-01T00:00')], targets: [1, 2] };
    expect(() => prepareSeries(rows, '1min')).toThrow(/more than 20000000 1min steps/);
    expect(prepareSeries(rows, 'Y')[0].values).toHaveLength(51);
  });

  test('seasonal naive repeats the last season (naive when shorter); drift continues the mean change', () => {
    expect(seasonalNaive([1, 2, 3, 4, 5], 5, 3)).toEqual([3, 4, 5, 3, 4]);
    expect(seasonalNaive([1, 2], 3, 3)).toEqual([2, 2, 2]);
    expect(drift([2, 4, 9], 2)).toEqual([12.5, 16]);
    expect(drift([7], 2)).toEqual([7, 7]);
  });

  test('percentile columns and their offsets: R type 7 quantiles of the errors at a step, all steps pooled under 5', () => {
    expect((parsePercentiles('0.25,0.50,0.05,mean') as Percentile[]).map((p) => p.column)).toEqual(['p25', 'p50', 'p05', 'mean']);
    expect(parsePercentiles('0.5,0.125')).toBe('"0.125" is not a percentile: use values from 0.01 to 0.99 in steps of 0.01, or mean');
    const ps = parsePercentiles('0.1,0.5,0.9,mean') as Percentile[];
    // Step 1: five errors −2..2 → p10 at position 0.4: −2 + 0.4 = −1.6; p90 1.6. Step 2: two errors, so
    // all seven pooled (−2, −1, 0, 0, 1, 2, 10): p10 at 0.6 → −1.4, p50 the 4th = 0, p90 at 5.4 → 2 + 0.4·8 = 5.2.
    const offsets = percentileOffsets([[2, -2, 0, 1, -1], [10, 0]], ps);
    expect(offsets[0].map((x) => +x.toFixed(12))).toEqual([-1.6, 0, 1.6, 0]);
    expect(offsets[1].map((x) => +x.toFixed(12))).toEqual([-1.4, 0, 5.2, 0]);
  });
});
