/**
 * PSI by its definition, the reference DRIFT's figures are tested against: over the baseline's
 * bins, shares of non-NULL rows, an empty bin counted as 1e-4.
 */
export function psi(baseline: number[], current: number[]): number {
  const share = (counts: number[]) => counts.map((n) => n / counts.reduce((s, m) => s + m, 0));
  const [b, q] = [share(baseline), share(current)];
  return b.reduce((total, bi, i) => {
    const [p, r] = [Math.max(bi, 1e-4), Math.max(q[i], 1e-4)];
    return total + (r - p) * Math.log(r / p);
  }, 0);
}
