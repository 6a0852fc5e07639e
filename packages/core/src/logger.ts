/**
 * The logging surface the store needs: pino's method signature, so a pino (or
 * pino-compatible) logger can be passed as is. The store logs one line per state
 * change, never one per operation, and never keys or values at info level.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

function consoleFn(level: 'debug' | 'info' | 'warn' | 'error'): LogFn {
  const sink = level === 'debug' ? console.debug : console[level];
  return (objOrMsg: object | string, msg?: string) => {
    if (typeof objOrMsg === 'string') sink(`[resilient-store] ${level}: ${objOrMsg}`);
    else sink(`[resilient-store] ${level}: ${msg ?? ''}`, objOrMsg);
  };
}

/** Default logger: console, without debug lines. */
export const consoleLogger: Logger = {
  debug: () => {},
  info: consoleFn('info'),
  warn: consoleFn('warn'),
  error: consoleFn('error'),
};

/** A logger that drops everything; handy in tests and benchmarks. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
