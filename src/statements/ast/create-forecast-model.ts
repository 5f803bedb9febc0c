import type { IamRole } from './model-options.ts';
import type { ModelSettings } from './model-settings.ts';
import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/**
 * CREATE [OR REPLACE] MODEL m FROM ... TARGET t ... MODEL_TYPE FORECAST ... SETTINGS (HORIZON n,
 * FREQUENCY 'f' [, PERCENTILES '...']) (contract §11). No FUNCTION: SELECT FORECAST(m) reads it.
 */
export interface CreateForecastModel {
  readonly kind: 'CreateForecastModel';
  readonly orReplace: boolean;
  readonly model: QualifiedName;
  readonly source: TrainingSource;
  /** Folded column name of the values forecast. */
  readonly target: string;
  readonly iamRole?: IamRole;
  readonly auto: boolean;
  /** One of the forecast objectives, as src/forecast spells it; AverageWeightedQuantileLoss by default. */
  readonly objective: string;
  readonly horizon: number;
  /** One of src/forecast's FREQUENCIES. */
  readonly frequency: string;
  /** The PERCENTILES list as normalised: '0.1,0.5,0.9' by default. */
  readonly percentiles: string;
  readonly settings: ModelSettings;
}
