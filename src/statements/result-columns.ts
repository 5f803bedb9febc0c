import { TypeOid } from '../catalog/pg-types.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { MlStatementKind } from './ast/ml-statement.ts';

const text = (name: string): FieldDescription => ({ name, typeOid: TypeOid.text });
const typed = (name: string, typeOid: number): FieldDescription => ({ name, typeOid });

/**
 * The columns each ML statement returns, declared once: the simple protocol sends them before the
 * rows, Describe in the extended protocol answers with them. null: no rows (NoData). A new kind
 * that nobody declares does not compile.
 */
export const RESULT_COLUMNS: { readonly [K in MlStatementKind]: readonly FieldDescription[] | null } = {
  ShowModelAll: [text('Schema Name'), text('Model Name')],
  ShowModel: [text('Key'), text('Value')],
  ShowModelVersion: [text('Key'), text('Value')],
  EvaluateModel: [text('metric'), typed('value', TypeOid.float8), typed('detail', TypeOid.jsonb)],
  ShowModelEvaluations: [
    typed('version', TypeOid.int4),
    typed('evaluated_at', TypeOid.timestamptz),
    text('evaluated_by'),
    text('source'),
    typed('row_count', TypeOid.int8),
    typed('metrics', TypeOid.jsonb),
  ],
  ShowModelDrift: [
    text('feature'),
    text('kind'),
    text('metric'),
    typed('value', TypeOid.float8),
    typed('threshold', TypeOid.float8),
    typed('drifted', TypeOid.bool),
    typed('baseline_count', TypeOid.int8),
    typed('current_count', TypeOid.int8),
    text('check'),
  ],
  WaitForModel: [typed('version', TypeOid.int4), text('state')],
  ShowModelVersions: [
    typed('version', TypeOid.int4),
    text('state'),
    typed('active', TypeOid.bool),
    text('source'),
    text('job_name'),
    typed('created_at', TypeOid.timestamptz),
    typed('training_started_at', TypeOid.timestamptz),
    typed('training_finished_at', TypeOid.timestamptz),
    typed('training_rows', TypeOid.int8),
    text('metric'),
    typed('metric_value', TypeOid.float8),
    text('failure_reason'),
  ],
  ShowInferenceSchedule: [text('Key'), text('Value')],
  ShowInferenceSchedules: [
    text('schema_name'),
    text('schedule_name'),
    text('model'),
    text('status'),
    text('every'),
    text('delay'),
    typed('next_run', TypeOid.timestamptz),
    text('last_watermark'),
    text('last_execution_status'),
    text('owner'),
  ],
  ShowInferenceExecutions: [
    typed('execution_id', TypeOid.int8),
    text('status'),
    text('started_by'),
    typed('started_at', TypeOid.timestamptz),
    typed('finished_at', TypeOid.timestamptz),
    text('window_start'),
    text('window_end'),
    typed('rows_scored', TypeOid.int8),
    typed('model_version', TypeOid.int4),
    text('error'),
  ],
  CreateInferenceSchedule: null,
  AlterInferenceSchedule: null,
  DropInferenceSchedule: null,
  CreateModel: null,
  CreateModelFromArtifact: null,
  DropModel: null,
  DropModelVersion: null,
  AlterModelRetrain: null,
  AlterModelSetActiveVersion: null,
  AlterModelSetActivation: null,
  AlterModelRollback: null,
  AlterModelCancel: null,
  AlterModelSetMonitoring: null,
  AlterModelStart: null,
  AlterModelStop: null,
  GrantOnModel: null,
  RevokeOnModel: null,
};
