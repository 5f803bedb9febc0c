import type { Logger, LogLevel } from '../../src/util/logger.ts';

export interface LogLine {
  level: LogLevel;
  message: string;
  error?: unknown;
}

export interface RecordingLogger extends Logger {
  readonly lines: readonly LogLine[];
  /** Resolves with the first line (already logged or to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
}

/** A Logger that keeps every line, for tests that check what was logged and at which level. */
export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  const add = (level: LogLevel, message: string, error?: unknown) => {
    const line = { level, message, error };
    lines.push(line);
    for (const w of [...waiters]) w(line);
  };
  return {
    lines,
    error: (m, e) => add('error', m, e),
    warn: (m, e) => add('warn', m, e),
    info: (m) => add('info', m),
    debug: (m, e) => add('debug', m, e),
    waitFor: (match, timeoutMs) => {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (line: LogLine) => {
          if (!match(line)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching log line within ${timeoutMs} ms; logged:\n${lines.map(show).join('\n')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

export function show(line: LogLine): string {
  const e = line.error;
  return `${line.level.toUpperCase()} ${line.message}${e === undefined ? '' : `: ${e instanceof Error ? e.message : String(e)}`}`;
}
