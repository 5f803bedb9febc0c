import type { TrainingBudget } from '../gbdt/gbdt-trainer.ts';
import { squaredDistance } from './kmeans-init.ts';

/**
 * Lloyd's iterations on z (m × d) from the given centres (k × d, updated in place): assign every
 * row to its nearest centre (the first of equal ones), move every centre to the mean of its rows.
 * A centre left without rows moves onto the row farthest from its own centre, as scikit-learn
 * relocates empty clusters. Stops when no row changes cluster, when the centres moved (squared,
 * summed) no more than tol × the mean feature variance, after maxIterations, or when the budget
 * runs out (after at least one iteration, keeping the centres so far).
 */
export async function lloyd(
  z: Float32Array, m: number, d: number, k: number, centres: Float64Array,
  opts: { maxIterations: number; tolerance: number }, budget: TrainingBudget,
): Promise<{ iterations: number; cutShort: boolean }> {
  const threshold = opts.tolerance * meanVariance(z, m, d);
  const labels = new Int32Array(m).fill(-1);
  const distance = new Float64Array(m);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let it = 1; it <= opts.maxIterations; it++) {
    let changed = 0;
    for (let i = 0; i < m; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(z, i, centres, c, d);
        if (dist < bestD) {
          bestD = dist;
          best = c;
        }
      }
      if (labels[i] !== best) changed++;
      labels[i] = best;
      distance[i] = bestD;
    }
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < m; i++) {
      const c = labels[i];
      counts[c]++;
      for (let l = 0; l < d; l++) sums[c * d + l] += z[i * d + l];
    }
    relocateEmpty(z, d, k, labels, distance, sums, counts);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let l = 0; l < d; l++) {
        const v = sums[c * d + l] / counts[c];
        shift += (v - centres[c * d + l]) ** 2;
        centres[c * d + l] = v;
      }
    }
    const converged = changed === 0 || shift <= threshold;
    budget.onRound?.(converged ? opts.maxIterations : it, opts.maxIterations);
    if (converged) return { iterations: it, cutShort: false };
    await budget.yield();
    if (it < opts.maxIterations && (budget.signal?.aborted || Date.now() > budget.deadline)) return { iterations: it, cutShort: true };
  }
  return { iterations: opts.maxIterations, cutShort: false };
}

/** Each empty cluster takes the farthest row still in a cluster of two or more (ties: the lower row). */
function relocateEmpty(
  z: Float32Array, d: number, k: number, labels: Int32Array, distance: Float64Array, sums: Float64Array, counts: Int32Array,
): void {
  for (let c = 0; c < k; c++) {
    if (counts[c] > 0) continue;
    let far = -1;
    for (let i = 0; i < labels.length; i++) {
      if (counts[labels[i]] > 1 && (far < 0 || distance[i] > distance[far])) far = i;
    }
    if (far < 0) {
      // Fewer rows than clusters: it cannot be filled; keep it on row 0 (never nearest before cluster 0's copy).
      counts[c] = 1;
      for (let l = 0; l < d; l++) sums[c * d + l] = z[l];
      continue;
    }
    const from = labels[far];
    counts[from]--;
    for (let l = 0; l < d; l++) sums[from * d + l] -= z[far * d + l];
    labels[far] = c;
    distance[far] = 0;
    counts[c] = 1;
    for (let l = 0; l < d; l++) sums[c * d + l] = z[far * d + l];
  }
}

function meanVariance(z: Float32Array, m: number, d: number): number {
  if (m === 0 || d === 0) return 0;
  let total = 0;
  for (let l = 0; l < d; l++) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += z[i * d + l];
    mean /= m;
    let ss = 0;
    for (let i = 0; i < m; i++) ss += (z[i * d + l] - mean) ** 2;
    total += ss / m;
  }
  return total / d;
}
