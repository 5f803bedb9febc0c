import type { FinishedProgress } from '../../worker/training-breakdown.ts';

/**
 * SHOW MODEL's 'Training Progress' line from the worker's last progress report. While training:
 * "42% (42/100 rounds), 12 s elapsed, about 17 s left"; before the first report, that the job
 * waits for a worker. Once READY, where the time went from CREATE MODEL on ("done; where the
 * time went (1.84 s): snapshot 0.12 s, queue wait 0.00 s, ..., register 0.03 s") and, for AUTO,
 * each candidate's held-out score, rows and time.
 */
export function describeProgress(progressJson: string | null, elapsedSeconds: number): string {
  if (!progressJson) return 'waiting for a worker';
  const p = JSON.parse(progressJson) as Partial<FinishedProgress>;
  if (Array.isArray(p.parts)) return describeFinished(p.parts, p.candidates ?? []);
  const done = p.done ?? 0;
  const total = p.total ?? 0;
  const elapsed = Math.max(0, Math.round(elapsedSeconds));
  if (!total) return `${elapsed} s elapsed`;
  const percent = Math.floor((100 * done) / total);
  const left = done > 0 ? Math.round((elapsedSeconds * (total - done)) / done) : undefined;
  return `${percent}% (${done}/${total} ${p.unit ?? 'steps'}), ${elapsed} s elapsed${left === undefined ? '' : `, about ${left} s left`}`;
}

function describeFinished(parts: FinishedProgress['parts'], candidates: FinishedProgress['candidates']): string {
  const total = parts.reduce((sum, p) => sum + p.seconds, 0);
  const line = `done; where the time went (${seconds(total)}): ${parts.map((p) => `${p.part} ${seconds(p.seconds)}`).join(', ')}`;
  if (candidates.length < 2) return line;
  const tried = candidates.map((c) => {
    const notes = [seconds(c.seconds), `${c.rows.toLocaleString('en-US')} rows`, ...(c.cutShort ? ['cut short'] : []), ...(c.kept ? ['kept'] : [])];
    return `${c.modelType} ${c.metric} ${Number(c.score.toPrecision(6))} (${notes.join(', ')})`;
  });
  return `${line}; candidates: ${tried.join(', ')}`;
}

function seconds(s: number): string {
  return `${s.toFixed(2)} s`;
}
