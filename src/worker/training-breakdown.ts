import type { CandidateReport, Progress, TimePart } from '../training/types.ts';

/**
 * A finished job's last progress report (model_version.progress once READY): the last round
 * count, where the time went from CREATE MODEL to READY, part by part, and AUTO's candidates.
 * SHOW MODEL's 'Training Progress' line shows it (statements/handlers/training-progress.ts).
 */
export interface FinishedProgress extends Progress {
  parts: TimePart[];
  candidates: CandidateReport[];
}

/**
 * Remembers when each job's NOTIFY (sent at CREATE MODEL's commit) reached this worker: the
 * job's wait in the queue starts there, not at the start of the transaction that queued it.
 */
export class NotifiedJobs {
  private readonly at = new Map<string, number>();

  constructor(private readonly limit = 1000) {}

  notified(jobName: string): void {
    if (this.at.size >= this.limit) this.at.delete(this.at.keys().next().value!);
    this.at.set(jobName, performance.now());
  }

  /**
   * Seconds the job waited in the queue: from its commit (its NOTIFY's arrival) to now, its
   * claim. A job queued while this worker was away was not notified to it: then the wait counts
   * from the start of the transaction that queued it (`secondsSinceQueued`, PostgreSQL's clock).
   */
  queueWait(jobName: string, secondsSinceQueued: number): number {
    const notifiedAt = this.at.get(jobName);
    this.at.delete(jobName);
    const sinceQueued = Math.max(0, secondsSinceQueued);
    return notifiedAt === undefined ? sinceQueued : Math.min(sinceQueued, Math.max(0, (performance.now() - notifiedAt) / 1000));
  }
}
