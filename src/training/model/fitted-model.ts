import type { GbdtModel } from '../gbdt/gbdt-model.ts';
import { gbdtMargins } from '../gbdt/gbdt-model.ts';
import type { LinearModel } from '../linear/linear-model.ts';
import { linearMargins } from '../linear/linear-model.ts';
import type { MlpModel } from '../mlp/mlp-model.ts';
import { mlpMargins } from '../mlp/mlp-model.ts';

/** What a supervised trainer produces: plain data over the base matrix, exported to ONNX as is. */
export type FittedModel = GbdtModel | LinearModel | MlpModel;

const MARGINS: { [K in FittedModel['kind']]: (m: Extract<FittedModel, { kind: K }>, x: Float32Array, rows: number) => Float64Array } = {
  gbdt: gbdtMargins,
  linear: linearMargins,
  mlp: mlpMargins,
};

export function marginsOf(model: FittedModel, x: Float32Array, rows: number): Float64Array {
  return (MARGINS[model.kind] as (m: FittedModel, x: Float32Array, rows: number) => Float64Array)(model, x, rows);
}
