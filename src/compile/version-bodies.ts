import { decodeGraph } from '../artifacts/onnx-graph.ts';
import type { Compilation, CompiledBody, CompileTarget } from './compile-target.ts';
import { compileModelFunction, GraphEvaluations } from './compile-model-function.ts';

/** A version's artifact and its model's SQL signature: what its functions' bodies are made from. */
export type VersionToCompile = Omit<CompileTarget, 'output'>;

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
  const tooLarge = tooLargeForSql(version.onnx);
  if (tooLarge) return { value: tooLarge, probabilities: isClassifier(version) ? tooLarge : null };
  // Both functions read the same graph with the same parameters: evaluated once for both.
  const evaluations = new GraphEvaluations(version);
  return {
    value: safely(() => compileModelFunction({ ...version, output: 'value' }, evaluations)),
    probabilities: isClassifier(version)
      ? safely(() => compileModelFunction({ ...version, returnType: 'jsonb', output: 'probabilities' }, evaluations))
      : null,
  };
}

/**
 * Tree nodes a SQL body may hold: about 70 bytes of SQL each, so some 7 MB, or 1,500 trees of
 * depth 6. Beyond it the body would take seconds to write and PostgreSQL megabytes per copy,
 * and a row evaluated node by node in SQL would be slow anyway; such a model is left to the
 * proxy's onnxruntime.
 */
export const MAX_SQL_TREE_NODES = 100_000;

function tooLargeForSql(onnx: Uint8Array): { unsupported: string } | null {
  let nodes = 0;
  for (const node of decodeGraph(onnx).node ?? []) {
    if (!node.opType?.startsWith('TreeEnsemble')) continue;
    nodes += node.attribute?.find((a) => a.name === 'nodes_nodeids')?.ints?.length ?? 0;
  }
  if (nodes <= MAX_SQL_TREE_NODES) return null;
  return { unsupported: `the model has ${nodes} tree nodes, more than the ${MAX_SQL_TREE_NODES} a SQL body holds` };
}

function isClassifier(version: VersionToCompile): boolean {
  return version.problemType === 'BINARY_CLASSIFICATION' || version.problemType === 'MULTICLASS_CLASSIFICATION';
}

function safely(compile: () => Compilation): StoredBody {
  try {
    const compiled = compile();
    return 'body' in compiled ? compiled.body : compiled;
  } catch (error) {
    return { unsupported: `modelgres could not compile it (${(error as Error).message})` };
  }
}
