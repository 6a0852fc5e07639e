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

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JsonLineLoggerOptions {
  /** Receives each finished line (no trailing newline). Default: console, warn and error on stderr. */
  write?: (level: LogLevel, line: string) => void;
  /** Write debug lines too. Default false. */
  debug?: boolean;
  /** Clock for the `time` field; tests pass their own. */
  now?: () => Date;
}

/** Fields every line starts with; an event's own field of the same name goes under `fields`. */
const RESERVED = new Set(['time', 'level', 'name', 'msg']);

function consoleWrite(level: LogLevel, line: string): void {
  if (level === 'warn' || level === 'error') console.error(line);
  else console.log(line);
}

/** What JSON cannot say as is: errors (their message, not `{}`), bigints, repeated objects. */
function jsonReplacer(): (key: string, value: unknown) => unknown {
  const ancestors: object[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    // `this` is the object holding `value`: drop ancestors that are no longer on the path.
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    if (value instanceof Error) {
      const { code } = value as { code?: unknown };
      const plain = {
        type: value.name,
        message: value.message,
        ...(code === undefined ? {} : { code }),
        ...(value.cause === undefined ? {} : { cause: value.cause }),
      };
      // Its fields are visited with `plain` as their holder: it stands on the path too.
      ancestors.push(plain);
      return plain;
    }
    return value;
  };
}

/**
 * A logger that writes one JSON object per line, the form log shippers read
 * without multi-line rules: `{"time":…,"level":"warn","name":"resilient-store",
 * "msg":…, …the event's fields}`. Newlines inside a message stay escaped in the line.
 */
export function jsonLineLogger(options: JsonLineLoggerOptions = {}): Logger {
  const write = options.write ?? consoleWrite;
  const now = options.now ?? (() => new Date());
  const fn =
    (level: LogLevel): LogFn =>
    (objOrMsg: object | string, msg?: string) => {
      const record: Record<string, unknown> = {
        time: now().toISOString(),
        level,
        name: 'resilient-store',
        msg: typeof objOrMsg === 'string' ? objOrMsg : (msg ?? ''),
      };
      if (typeof objOrMsg === 'object' && objOrMsg !== null) {
        const clashing: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(objOrMsg)) {
          if (RESERVED.has(key)) clashing[key] = value;
          else record[key] = value;
        }
        if (Object.keys(clashing).length > 0) record.fields = clashing;
      }
      write(level, JSON.stringify(record, jsonReplacer()));
    };
  return {
    debug: options.debug ? fn('debug') : () => {},
    info: fn('info'),
    warn: fn('warn'),
    error: fn('error'),
  };
}

/** Default logger: one JSON line per event on the console, without debug lines. */
export const consoleLogger: Logger = jsonLineLogger();

/** A logger that drops everything; handy in tests and benchmarks. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
