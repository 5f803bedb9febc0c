/**
 * How to feed an imported model and read its answers. Plain JSON, so the catalog stores it as is
 * and a later session can feed the model without opening the ONNX graph again.
 */
export type IoPlan =
  | { inputs: 'single-tensor'; inputName: string; inputType: 'float32' | 'float64'; width: number; output: OutputPlan }
  | { inputs: 'per-parameter'; inputNames: string[]; inputTypes: InputElementType[]; output: OutputPlan };

export type InputElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool';

export type OutputPlan =
  // Regression, or any single value per row ([N] or [N, 1]).
  | { kind: 'value'; name: string }
  // A classifier, skl2onnx style: a label per row and, when the model has them, class probabilities.
  | {
      kind: 'label';
      labelName: string;
      labelType: 'int64' | 'string' | 'float32';
      probabilitiesName?: string;
      /**
       * 'sequence-map' (ZipMap) is part of the stored format but never planned: onnxruntime-node
       * 1.30 cannot return non-tensor values ("Non tensor type is temporarily not supported").
       */
      probabilitiesKind?: 'tensor' | 'sequence-map';
      /**
       * The class of each probability column, read from the graph's classifier or ZipMap node.
       * Absent: column c is class c (an ArgMax-style graph). Optional so plans without it stay valid.
       */
      classLabels?: Array<string | number>;
    };
