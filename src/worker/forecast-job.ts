import { isConnectionLost } from '../catalog/connection-loss.ts';
import type { Progress } from '../training/types.ts';
import type { Logger } from '../util/logger.ts';
import { registerForecastVersion, runForecastTraining } from './forecast-version.ts';
import type { ClaimedJob, JobQueue } from './job-queue.ts';
import type { VersionToTrain } from './trained-version.ts';
import { TrainingFailure } from './training-runner.ts';
import { failureReason } from './failure-reason.ts';

export interface ForecastJobHooks {
  onProgress(p: Progress): void;
  progress(): Progress | null;
  heartbeatMs: number;
  heartbeatFailed(error: unknown): void;
  fail(reason: string): Promise<void>;
}

/**
 * A claimed FORECAST job, as the training worker runs a model's: fitted in a thread with a
 * heartbeat on the job's lease (a lost lease stops it), registered while the job is held, or
 * marked FAILED with the reason. A lost connection is thrown: the job is retried after its lease.
 */
export async function trainForecastJob(job: ClaimedJob, version: VersionToTrain, queue: JobQueue, log: Logger, hooks: ForecastJobHooks): Promise<void> {
  const training = runForecastTraining(version, hooks.onProgress);
  let lost = false;
  const beat = setInterval(() => {
    queue.heartbeat(job, hooks.progress()).then((held) => {
      if (!held && !lost) {
        lost = true;
        log.info(`job ${job.jobName} was dropped or taken over: stopping its forecast training`);
        void training.kill();
      }
    }, hooks.heartbeatFailed);
  }, hooks.heartbeatMs);
  try {
    const forecast = await training.result;
    const kept = await queue.whileHeld(job, async (client) => {
      await registerForecastVersion(
        async (sql, params) => (await client.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows[0]?.[0] as string | null,
        version,
        forecast,
      );
    });
    log.info(
      kept
        ? `trained ${job.jobName}: forecast by ${forecast.method}, validation:${forecast.metric} ${forecast.metricValue}`
        : `job ${job.jobName} was dropped or taken over by another worker while it trained: this result is not kept`,
    );
  } catch (error) {
    if (lost) return;
    if (!(error instanceof TrainingFailure) && isConnectionLost(error)) throw error;
    const reason = failureReason(error);
    if (!(error instanceof TrainingFailure) || error.kind !== 'ForecastInputError') log.error(`forecast training ${job.jobName} failed`, error);
    await hooks.fail(reason);
  } finally {
    clearInterval(beat);
  }
}
