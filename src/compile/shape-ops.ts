import { Unsupported } from './compile-target.ts';
import { type Tensor, rows } from './symbolic-tensor.ts';

/**
 * Operators that only move columns: a row tensor is a list of columns, so Concat joins lists,
 * Gather picks from one, and Reshape/Flatten/Squeeze/Unsqueeze between [N], [N, 1] and [N, k]
 * change the rank only. Anything that would mix rows (axis 0) has no per-row form.
 */
export function concat(op: string, inputs: Tensor[], axis: number): Tensor {
  const rank = inputs.some((t) => t.kind === 'rows' && t.rank === 2) ? 2 : 1;
  if (!(axis === 1 || (axis === -1 && rank === 2))) throw new Unsupported(`${op} along axis ${axis}`);
  return rows(inputs.flatMap((t) => {
    if (t.kind !== 'rows') throw new Unsupported(`${op} of a constant`);
    return t.cols;
  }));
}

export function gather(data: Tensor, indices: Tensor, axis: number): Tensor {
  if (data.kind !== 'rows' || !(axis === 1 || (axis === -1 && data.rank === 2))) throw new Unsupported(`Gather along axis ${axis}`);
  if (indices.kind !== 'const') throw new Unsupported('Gather with computed indices');
  const k = data.cols.length;
  const picked = indices.values.map((i) => data.cols[(Number(i) + k) % k]);
  return rows(picked, indices.dims.length === 0 ? 1 : 2);
}

/** Reshape to [-1], [0]/[-1, k] or [N, k]: only the rank of a row tensor changes. */
export function reshape(data: Tensor, shape: Tensor): Tensor {
  if (data.kind !== 'rows' || shape.kind !== 'const') throw new Unsupported('Reshape of anything but a row tensor to a constant shape');
  const dims = shape.values.map(Number);
  const k = data.cols.length;
  if (dims.length === 1 && k === 1) return rows(data.cols, 1);
  if (dims.length === 2 && (dims[1] === k || (dims[1] === -1 && dims[0] !== k))) return rows(data.cols, 2);
  throw new Unsupported(`Reshape of [N, ${k}] to [${dims.join(', ')}]`);
}

export function rank(data: Tensor, to: 1 | 2, op: string): Tensor {
  if (data.kind !== 'rows' || (to === 1 && data.cols.length !== 1)) throw new Unsupported(`${op} of anything but [N, 1] or [N]`);
  return rows(data.cols, to);
}
