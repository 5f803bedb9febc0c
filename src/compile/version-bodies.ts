import type { IoPlan } from '../artifacts/index.ts';
import type { Compilation, CompiledBody } from './compile-target.ts';
import { compileModelFunction } from './compile-model-function.ts';

/** A version's artifact and its model's SQL signature: what its functions' bodies are made from. */
export interface VersionToCompile {
  onnx: Uint8Array;
  ioPlan: IoPlan | null;
  classes: Array<string | number | boolean> | null;
  problemType: string | null;
  parameterTypes: string[];
  returnType: string;
}

/** As the catalog stores a compiled body (sql/060-model-function-bodies.sql): the body, or why there is none. */
export type StoredBody = CompiledBody | { unsupported: string };

/** The catalog's compiled_value and compiled_probabilities of a version. */
export interface VersionBodies {
  value: StoredBody;
  /** Only classifiers have f_probabilities. */
  probabilities: StoredBody | null;
}

/**
 * Compiles the bodies of a version's functions: f / f_vN and, for a classifier, f_probabilities.
 * A compiler failure is not the user's: the version still registers, its functions then say
 * they cannot be evaluated inside PostgreSQL, and the proxy evaluates them as always.
 */
export function compileVersionBodies(version: VersionToCompile): VersionBodies {
  const classifier = version.problemType === 'BINARY_CLASSIFICATION' || version.problemType === 'MULTICLASS_CLASSIFICATION';
  return {
    value: safely(() => compileModelFunction({ ...version, output: 'value' })),
    probabilities: classifier ? safely(() => compileModelFunction({ ...version, returnType: 'jsonb', output: 'probabilities' })) : null,
  };
}

function safely(compile: () => Compilation): StoredBody {
  try {
    const compiled = compile();
    return 'body' in compiled ? compiled.body : compiled;
  } catch (error) {
    return { unsupported: `modelgres could not compile it (${(error as Error).message})` };
  }
}
