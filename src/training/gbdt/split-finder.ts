import { type GainParams, structureScore } from './split-gain.ts';

export interface SplitCandidate {
  feature: number;
  /**
   * Left = local bins 1..splitBin (plus missing when missingLeft). 0 sends only missing values
   * left; cutCount + 1 sends every value left and missing values right.
   */
  splitBin: number;
  missingLeft: boolean;
  lossChange: number;
  leftG: number;
  leftH: number;
}

/** XGBoost's kRtEps: a split must improve the structure score by more than this. */
const MIN_LOSS_CHANGE = 1e-6;

/**
 * Best split of one node over the allowed features, as XGBoost 1.7's hist evaluator
 * (EnumerateSplit): per feature, a forward scan over the value bins with missing values sent
 * right, ending with every value left; then, if the feature has missing values in this node, a
 * backward scan with them sent left, ending with only them left. A node without missing values
 * sends future ones right. Gains are float32; a later candidate must be strictly better, except
 * that across features the lower feature wins a tie, and within the backward scan the higher bin
 * wins (it scans downwards); the forward scan wins a tie with the backward one.
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
  const f = Math.fround;
  const mcw = p.minChildWeight;
  // The best so far as scalars, not a candidate object per improvement (scans improve often).
  let bestChange = 0;
  let bestFeature = -1;
  let bestBin = 0;
  let bestMissingLeft = false;
  let bestG = 0;
  let bestH = 0;
  // allowed is ascending, so "strictly better" is XGBoost's rule between features too.
  for (let a = 0; a < allowed.length; a++) {
    const feature = allowed[a];
    const off = 2 * offsets[feature];
    const valueBins = cutCounts[feature] + 1;
    // This feature's best: bin -1 = none yet.
    let fChange = 0;
    let fBin = -1;
    let fMissingLeft = false;
    let fG = 0;
    let fH = 0;
    // Forward: left = bins 1..s, missing right.
    let gl = 0;
    let hl = 0;
    for (let s = 1; s <= valueBins; s++) {
      gl += hist[off + 2 * s];
      hl += hist[off + 2 * s + 1];
      const gr = totalG - gl;
      const hr = totalH - hl;
      if (hl >= mcw && hr >= mcw) {
        const change = f(f(structureScore(p, gl, hl) + structureScore(p, gr, hr)) - parentScore);
        if (change > fChange) {
          fChange = change;
          fBin = s;
          fG = gl;
          fH = hl;
        }
      }
    }
    if (gl !== totalG || hl !== totalH) {
      // Backward: right = bins s+1..valueBins, left = the rest with the missing values.
      let gr = 0;
      let hr = 0;
      let bChange = 0;
      let bBin = -1;
      let bG = 0;
      let bH = 0;
      for (let s = valueBins - 1; s >= 0; s--) {
        gr += hist[off + 2 * (s + 1)];
        hr += hist[off + 2 * (s + 1) + 1];
        const glm = totalG - gr;
        const hlm = totalH - hr;
        if (hlm >= mcw && hr >= mcw) {
          const change = f(f(structureScore(p, glm, hlm) + structureScore(p, gr, hr)) - parentScore);
          if (change > bChange) {
            bChange = change;
            bBin = s;
            bG = glm;
            bH = hlm;
          }
        }
      }
      if (bBin >= 0 && bChange > fChange) {
        fChange = bChange;
        fBin = bBin;
        fMissingLeft = true;
        fG = bG;
        fH = bH;
      }
    }
    if (fBin >= 0 && fChange > bestChange) {
      bestChange = fChange;
      bestFeature = feature;
      bestBin = fBin;
      bestMissingLeft = fMissingLeft;
      bestG = fG;
      bestH = fH;
    }
  }
  if (bestFeature < 0) return undefined;
  return validSplit({ feature: bestFeature, splitBin: bestBin, missingLeft: bestMissingLeft, lossChange: bestChange, leftG: bestG, leftH: bestH }, totalH);
}

/** findBestSplit's signature, which the WebAssembly scans (wasm/wasm-kernels.ts wasmSplitFinder) share. */
export type SplitFinder = typeof findBestSplit;

/** As XGBoost's ExpandEntry::IsValid: the best split found is taken, or the node stays a leaf. */
export function validSplit(best: SplitCandidate, totalH: number): SplitCandidate | undefined {
  return !(best.lossChange > MIN_LOSS_CHANGE) || best.leftH === 0 || best.leftH === totalH ? undefined : best;
}
