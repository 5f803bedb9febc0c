/**
 * XGBoost's leaf weight and structure score (src/tree/param.h CalcWeight, and the hist updater's
 * SplitEvaluator::CalcGainGivenWeight), without the 1/2 factor, which is also how XGBoost compares
 * the gain with gamma (min_split_loss). The parameters are float32, as XGBoost's TrainParam holds
 * them; sums of gradients are double and scores come back as float32, as in XGBoost, so equal
 * gains tie exactly where XGBoost's tie.
 */
export interface GainParams {
  lambda: number;
  alpha: number;
  maxDeltaStep: number;
  minChildWeight: number;
}

/** The parameters rounded to float32 as XGBoost stores them. */
export function gainParams(p: GainParams): GainParams {
  const f = Math.fround;
  return { lambda: f(p.lambda), alpha: f(p.alpha), maxDeltaStep: f(p.maxDeltaStep), minChildWeight: f(p.minChildWeight) };
}

function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/** The leaf weight before eta, float32 (XGBoost's evaluator returns it as float). */
export function leafWeight(p: GainParams, g: number, h: number): number {
  if (h < p.minChildWeight || h <= 0) return 0;
  let w = -thresholdL1(g, p.alpha) / (h + p.lambda);
  if (p.maxDeltaStep !== 0 && Math.abs(w) > p.maxDeltaStep) w = Math.sign(w) * p.maxDeltaStep;
  return Math.fround(w);
}

export function structureScore(p: GainParams, g: number, h: number): number {
  if (h <= 0) return 0;
  const f = Math.fround;
  if (p.maxDeltaStep === 0) {
    const t = thresholdL1(g, p.alpha);
    return f((t * t) / (h + p.lambda));
  }
  // With max_delta_step the weight is clipped, so score the clipped weight: -2 * objective(w),
  // in float32 as XGBoost's CalcGainGivenWeight<float> (which leaves out the L1 term here).
  const w = leafWeight(p, g, h);
  return f(-f(f(f(2 * f(g)) * w) + f(f(f(h) + p.lambda) * f(w * w))));
}
