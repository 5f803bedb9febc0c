import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/** EVALUATE MODEL m [ VERSION n ] FROM source */
export interface EvaluateModel {
  readonly kind: 'EvaluateModel';
  readonly model: QualifiedName;
  /** Absent: the active version. */
  readonly version?: number;
  readonly source: TrainingSource;
}
