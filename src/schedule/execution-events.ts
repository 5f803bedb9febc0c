/** What a failed execution sends on modelgres_events, as JSON. */
export interface ExecutionFailedEvent {
  event: 'inference_execution_failed';
  schedule: string;
  model: string;
  execution_id: number;
  model_version: number | null;
  window_start: string | null;
  window_end: string | null;
  error: string;
  failed_at: string;
}

export const EVENTS_CHANNEL = 'modelgres_events';
/** ALTER INFERENCE SCHEDULE wakes the workers on this channel (sql/080). */
export const SCHEDULE_CHANNEL = 'modelgres_schedule';
