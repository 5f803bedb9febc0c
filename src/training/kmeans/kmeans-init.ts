import type { Random } from '../util/random.ts';
import { shuffledIndices } from '../util/random.ts';

/** Squared Euclidean distance between row i of z (m × d) and row j of c (· × d), in float64. */
export function squaredDistance(z: Float32Array, i: number, c: Float64Array | Float32Array, j: number, d: number): number {
  let s = 0;
  for (let l = 0; l < d; l++) {
    const e = z[i * d + l] - c[j * d + l];
    s += e * e;
  }
  return s;
}

/**
 * Initial centres (k × d). 'kmeans++' is greedy k-means++ as scikit-learn does it (Arthur &
 * Vassilvitskii 2007, with 2 + ln k candidates per step, keeping the one that lowers the total
 * squared distance most): a first row drawn uniformly, then rows drawn with probability
 * proportional to their squared distance to the nearest centre chosen so far. 'random': k
 * distinct rows. Every draw comes from the seeded generator.
 */
export function initialCentres(z: Float32Array, m: number, d: number, k: number, method: 'kmeans++' | 'random', random: Random): Float64Array {
  const centres = new Float64Array(k * d);
  const take = (c: number, row: number) => {
    for (let l = 0; l < d; l++) centres[c * d + l] = z[row * d + l];
  };
  if (method === 'random') {
    const order = shuffledIndices(m, random);
    for (let c = 0; c < k; c++) take(c, order[c]);
    return centres;
  }
  take(0, random.int(m));
  const closest = new Float64Array(m);
  let potential = 0;
  for (let i = 0; i < m; i++) potential += closest[i] = squaredDistance(z, i, centres, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const cumulative = new Float64Array(m);
  const candidate = new Float64Array(m);
  const bestClosest = new Float64Array(m);
  for (let c = 1; c < k; c++) {
    let run = 0;
    for (let i = 0; i < m; i++) cumulative[i] = run += closest[i];
    let bestRow = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      // All rows already sit on a centre (fewer distinct rows than k): any row will do.
      const row = potential > 0 ? search(cumulative, random.next() * potential) : random.int(m);
      let p = 0;
      for (let i = 0; i < m; i++) p += candidate[i] = Math.min(closest[i], squaredDistance(z, i, z, row, d));
      if (p < bestPotential) {
        bestPotential = p;
        bestRow = row;
        bestClosest.set(candidate);
      }
    }
    take(c, bestRow);
    closest.set(bestClosest);
    potential = bestPotential;
  }
  return centres;
}

/** First index whose cumulative sum exceeds v (clamped to the last row). */
function search(cumulative: Float64Array, v: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
