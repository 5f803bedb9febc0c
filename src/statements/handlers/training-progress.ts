/**
 * "42% (42/100 rounds), 12 s elapsed, about 17 s left" from the worker's last progress report.
 * Before the first report it says the job is waiting for a worker.
 */
export function describeProgress(progressJson: string | null, elapsedSeconds: number): string {
  if (!progressJson) return 'waiting for a worker';
  const p = JSON.parse(progressJson) as { done?: number; total?: number; unit?: string };
  const done = p.done ?? 0;
  const total = p.total ?? 0;
  const elapsed = Math.max(0, Math.round(elapsedSeconds));
  if (!total) return `${elapsed} s elapsed`;
  const percent = Math.floor((100 * done) / total);
  const left = done > 0 ? Math.round((elapsedSeconds * (total - done)) / done) : undefined;
  return `${percent}% (${done}/${total} ${p.unit ?? 'steps'}), ${elapsed} s elapsed${left === undefined ? '' : `, about ${left} s left`}`;
}
