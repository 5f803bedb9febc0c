import { type GainParams, structureScore } from './split-gain.ts';

export interface SplitCandidate {
  feature: number;
  /** Left = local bins 1..splitBin (plus missing when missingLeft). */
  splitBin: number;
  missingLeft: boolean;
  lossChange: number;
  leftG: number;
  leftH: number;
}

/** XGBoost's kRtEps: a split must improve the structure score by more than this. */
const MIN_LOSS_CHANGE = 1e-6;

/**
 * Best split of one node over the allowed features, scanning each feature's bins left to right
 * once with missing values sent right and once with them sent left; the better direction is the
 * learned default. A node with no missing values sends future missing values to the heavier child.
 * Ties keep the first found (lowest feature, lowest bin), so results do not depend on timing.
 */
export function findBestSplit(
  hist: Float64Array,
  offsets: Int32Array,
  cutCounts: Int32Array,
  allowed: Int32Array,
  totalG: number,
  totalH: number,
  p: GainParams,
): SplitCandidate | undefined {
  const parentScore = structureScore(p, totalG, totalH);
  let best: SplitCandidate | undefined;
  let bestChange = MIN_LOSS_CHANGE;
  for (let a = 0; a < allowed.length; a++) {
    const f = allowed[a];
    const off = offsets[f];
    const valueBins = cutCounts[f] + 1;
    const missG = hist[2 * off];
    const missH = hist[2 * off + 1];
    const hasMissing = missH !== 0 || missG !== 0;
    let gl = 0;
    let hl = 0;
    for (let s = 1; s < valueBins; s++) {
      gl += hist[2 * (off + s)];
      hl += hist[2 * (off + s) + 1];
      // Missing right.
      const hr = totalH - hl;
      if (hl >= p.minChildWeight && hr >= p.minChildWeight) {
        const change = structureScore(p, gl, hl) + structureScore(p, totalG - gl, hr) - parentScore;
        if (change > bestChange) {
          bestChange = change;
          best = { feature: f, splitBin: s, missingLeft: !hasMissing && hl > hr, lossChange: change, leftG: gl, leftH: hl };
        }
      }
      if (!hasMissing) continue;
      // Missing left.
      const glm = gl + missG;
      const hlm = hl + missH;
      const hrm = totalH - hlm;
      if (hlm >= p.minChildWeight && hrm >= p.minChildWeight) {
        const change = structureScore(p, glm, hlm) + structureScore(p, totalG - glm, hrm) - parentScore;
        if (change > bestChange) {
          bestChange = change;
          best = { feature: f, splitBin: s, missingLeft: true, lossChange: change, leftG: glm, leftH: hlm };
        }
      }
    }
  }
  return best;
}
