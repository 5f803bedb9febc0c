import type { QualifiedName } from './qualified-name.ts';
import type { TrainingSource } from './training-source.ts';

/**
 * CREATE INFERENCE SCHEDULE s FOR MODEL m FROM { table | ( query ) } KEY column INTO target
 *   EVERY 'interval' [ DELAY 'interval' ] [ START AT 'timestamp' ]
 */
export interface CreateInferenceSchedule {
  readonly kind: 'CreateInferenceSchedule';
  readonly schedule: QualifiedName;
  readonly model: QualifiedName;
  /** Read like CREATE MODEL's FROM: a table, or a query checked by PostgreSQL's parser. */
  readonly source: TrainingSource;
  readonly key: string;
  readonly target: QualifiedName;
  /** Interval texts, read by PostgreSQL (which also judges their range). */
  readonly every: string;
  readonly delay?: string;
  readonly startAt?: string;
}

export type ScheduleAction = 'STOP' | 'START' | 'RUN NOW';

/** ALTER INFERENCE SCHEDULE s { STOP | START | RUN NOW } */
export interface AlterInferenceSchedule {
  readonly kind: 'AlterInferenceSchedule';
  readonly schedule: QualifiedName;
  readonly action: ScheduleAction;
}

/** DROP INFERENCE SCHEDULE [ IF EXISTS ] s */
export interface DropInferenceSchedule {
  readonly kind: 'DropInferenceSchedule';
  readonly schedule: QualifiedName;
  readonly ifExists: boolean;
}

/** SHOW INFERENCE SCHEDULE s: settings, status, next run, last watermark. */
export interface ShowInferenceSchedule {
  readonly kind: 'ShowInferenceSchedule';
  readonly schedule: QualifiedName;
}

/** SHOW INFERENCE SCHEDULES: one row a schedule the role owns. */
export interface ShowInferenceSchedules {
  readonly kind: 'ShowInferenceSchedules';
}

/** SHOW INFERENCE EXECUTIONS FOR s [ LIMIT n ]: newest first. */
export interface ShowInferenceExecutions {
  readonly kind: 'ShowInferenceExecutions';
  readonly schedule: QualifiedName;
  readonly limit?: number;
}
