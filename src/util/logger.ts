export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';

/** What a structured line carries besides its sentence (--log-format json). */
export interface LogFields {
  /** A short name of what happened: 'training finished', 'drift', 'login'. Default: the sentence. */
  event?: string;
  /** schema.name */
  model?: string;
  version?: number;
  /** The client: a role, or address:port. */
  client?: string;
  /** Milliseconds. */
  duration?: number;
  job?: string;
}

export interface Logger {
  error(message: string, error?: unknown, fields?: LogFields): void;
  warn(message: string, error?: unknown, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, error?: unknown, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * Writes to stderr, one line per event, below the chosen level: a sentence (text), or one JSON
 * object with time, level, event, message and the fields given, for log collectors (json).
 */
export function createLogger(level: LogLevel = 'info', format: LogFormat = 'text'): Logger {
  const on = (l: LogLevel) => ORDER[l] <= ORDER[level];
  const line = (l: LogLevel, message: string, error?: unknown, fields?: LogFields) => {
    if (!on(l)) return;
    if (format === 'json') {
      const detail = error === undefined ? undefined : error instanceof Error ? (l === 'error' ? error.stack : error.message) : String(error);
      const record = { time: new Date().toISOString(), level: l, event: fields?.event ?? message, message, ...fields, ...(detail === undefined ? {} : { error: detail }) };
      process.stderr.write(`${JSON.stringify(record)}\n`);
      return;
    }
    const suffix = error === undefined ? '' : `: ${error instanceof Error ? (l === 'error' ? error.stack : error.message) : String(error)}`;
    process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} ${message}${suffix}\n`);
  };
  return {
    error: (m, e, f) => line('error', m, e, f),
    warn: (m, e, f) => line('warn', m, e, f),
    info: (m, f) => line('info', m, undefined, f),
    debug: (m, e, f) => line('debug', m, e, f),
  };
}
