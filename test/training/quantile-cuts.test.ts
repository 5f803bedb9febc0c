import { expect, test } from 'vitest';
import { binOf, binOfPadded, padCuts, quantileCuts } from '../../src/training/gbdt/quantile-cuts.ts';
import { createRandom } from '../../src/training/util/random.ts';

test('cuts are data values; few distinct values get a bin each; value < cut agrees with the bin', () => {
  const ints = Float32Array.from([3, 1, 2, 2, NaN, 3, 1]);
  const rows = Int32Array.from(ints, (_, i) => i);
  expect(Array.from(quantileCuts(ints, 1, 0, rows))).toEqual([2, 3]);
  const r = createRandom(5);
  const x = Float32Array.from({ length: 5000 }, () => (r.next() < 0.1 ? NaN : r.next() * 1000 - 500));
  const cuts = quantileCuts(x, 1, 0, Int32Array.from(x, (_, i) => i));
  expect(cuts.length).toBeLessThanOrEqual(254);
  const padded = padCuts(cuts);
  for (const v of [...x, Infinity, -Infinity, cuts[0], cuts[cuts.length - 1]]) {
    const b = binOf(cuts, v);
    expect(binOfPadded(padded, cuts.length, v)).toBe(b);
    if (Number.isNaN(v)) expect(b).toBe(0);
    // Left of split s (bins 1..s) is exactly "v < cuts[s - 1]".
    for (const s of [1, 50, cuts.length]) if (!Number.isNaN(v)) expect(b <= s).toBe(v < cuts[s - 1]);
  }
});
