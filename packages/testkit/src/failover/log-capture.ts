import type { Logger } from '@resilient-store/core';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly at: number;
  /** The message and the structured fields, as one searchable string. */
  readonly text: string;
}

/** A pino-compatible logger that keeps every line, for assertions on what operators would see. */
export function captureLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const fn =
    (level: LogLine['level']) =>
    (objOrMsg: object | string, msg?: string): void => {
      const text =
        typeof objOrMsg === 'string' ? objOrMsg : `${msg ?? ''} ${safeJson(objOrMsg)}`.trim();
      lines.push({ level, at: performance.now(), text });
    };
  return { lines, debug: fn('debug'), info: fn('info'), warn: fn('warn'), error: fn('error') };
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return String(value);
  }
}
