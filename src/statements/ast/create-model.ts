import type { DataType } from './data-type.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import type { IamRole, ModelType, ProblemType } from './model-options.ts';
import type { ModelSettings } from './model-settings.ts';
import type { Preprocessors } from './preprocessors.ts';
import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/** FUNCTION f [ ( data_type, ... ) ]; the types are absent when not written. */
export interface ModelFunction {
  readonly name: QualifiedName;
  readonly parameterTypes?: readonly DataType[];
}

/** CREATE [OR REPLACE] MODEL m FROM ... TARGET ... FUNCTION ... — training (contract §1). */
export interface CreateModel {
  readonly kind: 'CreateModel';
  readonly orReplace: boolean;
  readonly model: QualifiedName;
  readonly source: TrainingSource;
  /** Folded column name; absent only for KMEANS. */
  readonly target?: string;
  readonly function: ModelFunction;
  readonly iamRole?: IamRole;
  /** AUTO ON unless AUTO OFF was written. */
  readonly auto: boolean;
  readonly modelType?: ModelType;
  readonly problemType?: ProblemType;
  /**
   * As written for XGBoost objectives ('binary:logistic'); AutoML metrics are normalised to
   * 'MSE' | 'Accuracy' | 'F1' | 'F1Macro' | 'AUC'.
   */
  readonly objective?: string;
  readonly preprocessors?: Preprocessors;
  readonly hyperparameters?: Hyperparameters;
  readonly settings: ModelSettings;
}
