import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/** SHOW MODEL ALL */
export interface ShowModelAll {
  readonly kind: 'ShowModelAll';
}

/** SHOW MODEL m */
export interface ShowModel {
  readonly kind: 'ShowModel';
  readonly model: QualifiedName;
}

/** SHOW MODEL m VERSIONS */
export interface ShowModelVersions {
  readonly kind: 'ShowModelVersions';
  readonly model: QualifiedName;
}

/** SHOW MODEL m VERSION n */
export interface ShowModelVersion {
  readonly kind: 'ShowModelVersion';
  readonly model: QualifiedName;
  readonly version: number;
}

/** SHOW MODEL m DRIFT [ FROM source ] [ SINCE 'timestamp' ] */
export interface ShowModelDrift {
  readonly kind: 'ShowModelDrift';
  readonly model: QualifiedName;
  /** Absent: the captured inference inputs. */
  readonly source?: TrainingSource;
  /** As written; the handler lets PostgreSQL read it as a timestamptz. */
  readonly since?: string;
}

/** SHOW MODEL m EVALUATIONS */
export interface ShowModelEvaluations {
  readonly kind: 'ShowModelEvaluations';
  readonly model: QualifiedName;
}
