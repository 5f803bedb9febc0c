export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  info(message: string): void;
  debug(message: string, error?: unknown): void;
}

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Writes to stderr, one line per event, below the chosen level. */
export function createLogger(level: LogLevel = 'info'): Logger {
  const on = (l: LogLevel) => ORDER[l] <= ORDER[level];
  const line = (l: LogLevel, message: string, error?: unknown) => {
    if (!on(l)) return;
    const suffix = error === undefined ? '' : `: ${error instanceof Error ? (l === 'error' ? error.stack : error.message) : String(error)}`;
    process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} ${message}${suffix}\n`);
  };
  return {
    error: (m, e) => line('error', m, e),
    warn: (m, e) => line('warn', m, e),
    info: (m) => line('info', m),
    debug: (m, e) => line('debug', m, e),
  };
}
