import type { Activation } from './model-options.ts';
import type { ModelSettings } from './model-settings.ts';
import type { MonitoringOptions } from './monitoring-options.ts';
import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/** ALTER MODEL m RETRAIN [ FROM source ] [ SETTINGS ( ... ) ] */
export interface AlterModelRetrain {
  readonly kind: 'AlterModelRetrain';
  readonly model: QualifiedName;
  /** Absent: the most recent version's source again. */
  readonly source?: TrainingSource;
  readonly settings: ModelSettings;
}

/** ALTER MODEL m SET ACTIVE VERSION n */
export interface AlterModelSetActiveVersion {
  readonly kind: 'AlterModelSetActiveVersion';
  readonly model: QualifiedName;
  readonly version: number;
}

/** ALTER MODEL m SET ACTIVATION { LATEST | BEST | MANUAL } */
export interface AlterModelSetActivation {
  readonly kind: 'AlterModelSetActivation';
  readonly model: QualifiedName;
  readonly activation: Activation;
}

/** ALTER MODEL m ROLLBACK */
export interface AlterModelRollback {
  readonly kind: 'AlterModelRollback';
  readonly model: QualifiedName;
}

/** ALTER MODEL m CANCEL */
export interface AlterModelCancel {
  readonly kind: 'AlterModelCancel';
  readonly model: QualifiedName;
}

/** ALTER MODEL m SET MONITORING ( ... ) */
export interface AlterModelSetMonitoring {
  readonly kind: 'AlterModelSetMonitoring';
  readonly model: QualifiedName;
  readonly monitoring: MonitoringOptions;
}

/** ALTER MODEL m START [ ( MIN_INFERENCE_UNITS a, MAX_INFERENCE_UNITS b ) ] */
export interface AlterModelStart {
  readonly kind: 'AlterModelStart';
  readonly model: QualifiedName;
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
}

/** ALTER MODEL m STOP */
export interface AlterModelStop {
  readonly kind: 'AlterModelStop';
  readonly model: QualifiedName;
}

/** ALTER MODEL m SET INFERENCE ( REQUIRE_START { ON | OFF } ) */
export interface AlterModelSetInference {
  readonly kind: 'AlterModelSetInference';
  readonly model: QualifiedName;
  readonly requireStart: boolean;
}
