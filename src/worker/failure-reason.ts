import { TrainingFailure } from './training-runner.ts';

/**
 * The failure_reason SHOW MODEL shows for a training that did not finish: the training's own
 * message, or for PostgreSQL refusing a write (out of disk, memory or connections: SQLSTATE
 * class 53) what ran out and what to do; anything else is ours, said as an internal error.
 */
export function failureReason(error: unknown): string {
  if (error instanceof TrainingFailure) return error.message;
  const { code, message } = error as { code?: unknown; message?: string };
  if (typeof code === 'string' && code.startsWith('53')) {
    const what = code === '53100' ? 'disk space' : code === '53200' ? 'memory' : code === '53300' ? 'connections' : 'resources';
    return `PostgreSQL ran out of ${what} while the model was stored (SQLSTATE ${code}: ${message}); make room, then ALTER MODEL ... RETRAIN`;
  }
  return `internal error: ${message ?? String(error)}`;
}
