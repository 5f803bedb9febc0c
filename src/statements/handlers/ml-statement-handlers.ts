import type { MlStatementContext } from '../ml-statement-context.ts';
import type { MlStatement, MlStatementKind, MlStatementOf } from '../ast/ml-statement.ts';
import { createModel } from './create-model.ts';
import { createForecastModel } from './create-forecast-model.ts';
import { refuseForecastModel } from './not-for-forecast.ts';
import { createModelFromArtifact } from './create-model-from-artifact.ts';
import { createRemoteModel } from './create-remote-model.ts';
import { dropModel } from './drop-model.ts';
import { showModel } from './show-model.ts';
import { showModelAll } from './show-model-all.ts';
import { showModelVersions } from './show-model-versions.ts';
import { retrainModel } from './retrain-model.ts';
import { cancelTraining, rollbackModel, setActivation, setActiveVersion } from './alter-model-activation.ts';
import { dropModelVersion } from './drop-model-version.ts';
import { grantOnModel } from './grant-on-model.ts';
import { waitForModel } from './wait-for-model.ts';
import { evaluateModel, showModelEvaluations } from './evaluate-model.ts';
import { showModelDrift } from './show-model-drift.ts';
import { setMonitoring } from './set-monitoring.ts';
import { showModelgresClients, showModelgresStats, showModelgresWorkers } from './show-modelgres.ts';
import { setInference, startModel, stopModel } from './hosting.ts';
import { createInferenceSchedule } from './create-inference-schedule.ts';
import {
  alterInferenceSchedule,
  dropInferenceSchedule,
  showInferenceExecutions,
  showInferenceSchedule,
  showInferenceSchedules,
} from './inference-schedules.ts';

type Handler<K extends MlStatementKind> = (statement: MlStatementOf<K>, text: string, context: MlStatementContext) => Promise<void>;

/** One handler per statement kind: a new kind that nobody handles does not compile. */
const HANDLERS: { [K in MlStatementKind]: Handler<K> } = {
  CreateModel: createModel,
  CreateForecastModel: createForecastModel,
  CreateModelFromArtifact: createModelFromArtifact,
  CreateRemoteModel: createRemoteModel,
  ShowModelAll: showModelAll,
  ShowModel: showModel,
  ShowModelVersions: showModelVersions,
  ShowModelVersion: showModel,
  ShowModelDrift: showModelDrift,
  ShowModelEvaluations: showModelEvaluations,
  DropModel: dropModel,
  DropModelVersion: dropModelVersion,
  AlterModelRetrain: retrainModel,
  AlterModelSetActiveVersion: setActiveVersion,
  AlterModelSetActivation: setActivation,
  AlterModelRollback: rollbackModel,
  AlterModelCancel: cancelTraining,
  AlterModelSetMonitoring: setMonitoring,
  AlterModelStart: startModel,
  AlterModelStop: stopModel,
  AlterModelSetInference: setInference,
  WaitForModel: waitForModel,
  EvaluateModel: evaluateModel,
  GrantOnModel: grantOnModel,
  RevokeOnModel: grantOnModel,
  ShowModelgresStats: showModelgresStats,
  ShowModelgresClients: showModelgresClients,
  ShowModelgresWorkers: showModelgresWorkers,
  CreateInferenceSchedule: createInferenceSchedule,
  AlterInferenceSchedule: alterInferenceSchedule,
  DropInferenceSchedule: dropInferenceSchedule,
  ShowInferenceSchedule: showInferenceSchedule,
  ShowInferenceSchedules: showInferenceSchedules,
  ShowInferenceExecutions: showInferenceExecutions,
};

/** Runs a parsed ML statement on the client's session; its answer goes to the client. */
export async function runMlStatement(statement: MlStatement, text: string, context: MlStatementContext): Promise<void> {
  await refuseForecastModel(statement, context);
  const handler = HANDLERS[statement.kind] as Handler<MlStatementKind>;
  return handler(statement, text, context);
}
