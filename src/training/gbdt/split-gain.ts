/**
 * XGBoost's leaf weight and structure score (src/tree/param.h CalcWeight / CalcGain), without the
 * 1/2 factor, which is also how XGBoost compares the gain with gamma (min_split_loss).
 */
export interface GainParams {
  lambda: number;
  alpha: number;
  maxDeltaStep: number;
  minChildWeight: number;
}

function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

export function leafWeight(p: GainParams, g: number, h: number): number {
  if (h < p.minChildWeight || h <= 0) return 0;
  let w = -thresholdL1(g, p.alpha) / (h + p.lambda);
  if (p.maxDeltaStep !== 0 && Math.abs(w) > p.maxDeltaStep) w = Math.sign(w) * p.maxDeltaStep;
  return w;
}

export function structureScore(p: GainParams, g: number, h: number): number {
  if (h < p.minChildWeight || h <= 0) return 0;
  if (p.maxDeltaStep === 0) {
    const t = thresholdL1(g, p.alpha);
    return (t * t) / (h + p.lambda);
  }
  // With max_delta_step the weight is clipped, so score the clipped weight: -2 * objective(w).
  const w = leafWeight(p, g, h);
  return -(2 * g * w + (h + p.lambda) * w * w) - 2 * p.alpha * Math.abs(w);
}
