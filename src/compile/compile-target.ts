import type { IoPlan } from '../artifacts/index.ts';

/** One model function to compile: its artifact, how it is fed and read, and its SQL signature. */
export interface CompileTarget {
  /** The stored artifact. */
  onnx: Uint8Array;
  /** null for a model modelgres trained (training/onnx-contract.md); an imported model's plan otherwise. */
  ioPlan: IoPlan | null;
  /** A trained classifier's class values, as the catalog stores them. */
  classes: Array<string | number | boolean> | null;
  /** REGRESSION, BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION, CLUSTERING, or null (imported). */
  problemType: string | null;
  /** SQL types of the function's parameters, in order. */
  parameterTypes: string[];
  /** The function's RETURNS type ('jsonb' for f_probabilities). */
  returnType: string;
  output: 'value' | 'probabilities';
}

export interface CompiledBody {
  language: 'sql' | 'plpgsql';
  /** The text between $$ and $$; parameters referenced only as $1..$n. */
  body: string;
  /** The result depends on the arguments only: the function may be declared IMMUTABLE. */
  immutable: boolean;
}

export type Compilation = { body: CompiledBody } | { unsupported: string };

/** Thrown while compiling when the graph holds something without a SQL form; becomes { unsupported }. */
export class Unsupported extends Error {}
