import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { TrainingBudget } from '../gbdt/gbdt-trainer.ts';
import { designRow, fitDesign } from '../mlp/standardised-design.ts';
import type { KmeansParams } from '../spec/kmeans-hyperparameters.ts';
import type { Random } from '../util/random.ts';
import { initialCentres } from './kmeans-init.ts';
import type { KmeansModel } from './kmeans-model.ts';
import { lloyd } from './lloyd.ts';

/** Design cells (float32) kept in memory; above it the centres are fitted on a seeded row sample. */
const MAX_DESIGN_CELLS = 50_000_000;

/**
 * k-means on the standardised design of the training rows: seeded initial centres, then Lloyd's
 * iterations in float64; the centres are rounded to float32 at the end.
 */
export async function trainKmeans(
  plan: EncodingPlan,
  x: Float32Array,
  rows: number,
  params: KmeansParams,
  random: Random,
  budget: TrainingBudget,
): Promise<{ model: KmeansModel; cutShort: boolean }> {
  const design = fitDesign(plan, x, rows);
  const d = design.width;
  const sample = sampleRows(rows, d, params.k, random);
  const m = sample.length;
  const z = new Float32Array(m * d);
  sample.forEach((r, i) => designRow(design, x, r * design.features, z.subarray(i * d, (i + 1) * d)));
  const centres = initialCentres(z, m, d, params.k, params.initMethod, random);
  const { cutShort } = await lloyd(z, m, d, params.k, centres, params, budget);
  return { model: { kind: 'kmeans', design, k: params.k, centroids: Array.from(centres, Math.fround) }, cutShort };
}

function sampleRows(rows: number, d: number, k: number, random: Random): Int32Array {
  const cap = Math.max(k, Math.floor(MAX_DESIGN_CELLS / Math.max(1, d)));
  if (rows <= cap) return Int32Array.from({ length: rows }, (_, i) => i);
  const out: number[] = [];
  const p = cap / rows;
  for (let r = 0; r < rows; r++) if (random.next() < p) out.push(r);
  return Int32Array.from(out.length >= k ? out : Array.from({ length: k }, (_, i) => i));
}
