import type pg from 'pg';
import { pollUntil } from '../support/poll.ts';

export interface Execution {
  execution_id: string;
  status: string;
  started_by: string;
  started_at: Date;
  finished_at: Date | null;
  window_start: string | null;
  window_end: string | null;
  rows_scored: string | null;
  model_version: number | null;
  error: string | null;
}

/** SHOW INFERENCE EXECUTIONS, oldest first. */
export async function executions(c: pg.Client, schedule: string): Promise<Execution[]> {
  return (await c.query(`SHOW INFERENCE EXECUTIONS FOR ${schedule}`)).rows.reverse();
}

/** Waits until `count` executions have finished (none in progress), and returns them oldest first. */
export async function finishedExecutions(c: pg.Client, schedule: string, count: number): Promise<Execution[]> {
  return pollUntil(
    `${count} finished executions of ${schedule}`,
    () => executions(c, schedule),
    (list) => list.length >= count && list.every((e) => e.status !== 'IN_PROGRESS'),
    { timeoutMs: 30_000 },
  );
}

/** RUN NOW, then the execution it started, finished. */
export async function runNow(c: pg.Client, schedule: string): Promise<Execution> {
  const before = (await executions(c, schedule)).length;
  await c.query(`ALTER INFERENCE SCHEDULE ${schedule} RUN NOW`);
  const list = await finishedExecutions(c, schedule, before + 1);
  return list[list.length - 1];
}
