import { TrainingInputError } from '../training-errors.ts';
import type { TrainingSpec } from '../types.ts';
import { type KmeansParams, parseKmeansHyperparameters } from './kmeans-hyperparameters.ts';

export interface ResolvedKmeansSpec {
  params: KmeansParams;
  maxRuntimeSeconds: number;
  seed: number;
}

/** KMEANS takes no PROBLEM_TYPE or OBJECTIVE (it learns from the features alone) and requires K. */
export function resolveKmeansSpec(spec: TrainingSpec): ResolvedKmeansSpec {
  if (spec.problemType !== undefined) {
    throw new TrainingInputError(`MODEL_TYPE KMEANS takes no PROBLEM_TYPE (got ${spec.problemType})`);
  }
  const objective = spec.objective?.trim();
  if (objective !== undefined && objective !== '') {
    throw new TrainingInputError(`MODEL_TYPE KMEANS takes no OBJECTIVE (got '${objective}')`);
  }
  const maxRuntimeSeconds = spec.maxRuntimeSeconds ?? 5400;
  if (!(maxRuntimeSeconds > 0)) {
    throw new TrainingInputError(`MAX_RUNTIME must be a positive number of seconds, got ${maxRuntimeSeconds}`);
  }
  return { params: parseKmeansHyperparameters(spec.hyperparameters ?? {}), maxRuntimeSeconds, seed: spec.seed ?? 1 };
}
