import type {
  AlterModelCancel,
  AlterModelRetrain,
  AlterModelRollback,
  AlterModelSetActivation,
  AlterModelSetActiveVersion,
  AlterModelSetInference,
  AlterModelSetMonitoring,
  AlterModelStart,
  AlterModelStop,
} from './alter-model.ts';
import type { CreateModel } from './create-model.ts';
import type { CreateForecastModel } from './create-forecast-model.ts';
import type { CreateModelFromArtifact } from './create-model-from-artifact.ts';
import type { CreateRemoteModel } from './create-remote-model.ts';
import type { DropModel, DropModelVersion } from './drop-model.ts';
import type { EvaluateModel } from './evaluate-model.ts';
import type { GrantOnModel, RevokeOnModel } from './grant-on-model.ts';
import type {
  AlterInferenceSchedule,
  CreateInferenceSchedule,
  DropInferenceSchedule,
  ShowInferenceExecutions,
  ShowInferenceSchedule,
  ShowInferenceSchedules,
} from './inference-schedule.ts';
import type {
  ShowModel,
  ShowModelAll,
  ShowModelDrift,
  ShowModelEvaluations,
  ShowModelVersion,
  ShowModelVersions,
} from './show-model.ts';
import type { WaitForModel } from './wait-for-model.ts';
import type { ShowModelgresClients, ShowModelgresStats, ShowModelgresWorkers } from './show-modelgres.ts';

/** Every statement modelgres answers itself. Dispatch on `kind` with a Record<MlStatementKind, ...>. */
export type MlStatement =
  | CreateModel
  | CreateForecastModel
  | CreateModelFromArtifact
  | CreateRemoteModel
  | ShowModelAll
  | ShowModel
  | ShowModelVersions
  | ShowModelVersion
  | ShowModelDrift
  | ShowModelEvaluations
  | DropModel
  | DropModelVersion
  | AlterModelRetrain
  | AlterModelSetActiveVersion
  | AlterModelSetActivation
  | AlterModelRollback
  | AlterModelCancel
  | AlterModelSetMonitoring
  | AlterModelSetInference
  | AlterModelStart
  | AlterModelStop
  | WaitForModel
  | EvaluateModel
  | GrantOnModel
  | RevokeOnModel
  | ShowModelgresStats
  | ShowModelgresClients
  | ShowModelgresWorkers
  | CreateInferenceSchedule
  | AlterInferenceSchedule
  | DropInferenceSchedule
  | ShowInferenceSchedule
  | ShowInferenceSchedules
  | ShowInferenceExecutions;

export type MlStatementKind = MlStatement['kind'];

/** The statement of a given kind: MlStatementOf<'DropModel'> is DropModel. */
export type MlStatementOf<K extends MlStatementKind> = Extract<MlStatement, { kind: K }>;
