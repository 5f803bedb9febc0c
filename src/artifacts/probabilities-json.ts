import type { Tensor } from 'onnxruntime-node';

/**
 * Row i of a [rows, C] probability tensor as {"labels":[...],"probabilities":[...]}, most likely
 * class first; ties keep column order (the sort is stable), as ArgMax breaks them. float32
 * probabilities are rounded to 7 significant digits, as predictBatch does for trained models:
 * the digits beyond are float32 noise.
 */
export function probabilitiesJson(probabilities: Tensor, row: number, classLabels: Array<string | number> | undefined): string {
  const columns = probabilities.dims[probabilities.dims.length - 1];
  const data = probabilities.data as Float32Array | Float64Array;
  const float32 = probabilities.type === 'float32';
  const at = (c: number) => data[row * columns + c];
  const order = Array.from({ length: columns }, (_, c) => c).sort((a, b) => at(b) - at(a));
  return JSON.stringify({
    labels: order.map((c) => classLabels?.[c] ?? c),
    probabilities: order.map((c) => {
      const p = at(c);
      if (!Number.isFinite(p)) return null;
      return float32 ? Number(p.toPrecision(7)) : p;
    }),
  });
}
