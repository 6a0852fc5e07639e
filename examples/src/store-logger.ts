/**
 * The logger handed to the store, so its own log lines (one per state change) show up in
 * the demo's output, stamped like everything else. Structured fields are left out: the
 * store's messages already say what happened, and the fields repeat it for log pipelines.
 */
import type { LogFn, Logger } from '@resilient-store/core';
import { colour, say } from './output.js';

function level(name: 'info' | 'warn' | 'error', tint: (text: string) => string): LogFn {
  return (objOrMsg: object | string, msg?: string) => {
    const text = typeof objOrMsg === 'string' ? objOrMsg : (msg ?? JSON.stringify(objOrMsg));
    say('log', `${name.padEnd(5)} ${text}`, tint);
  };
}

export const demoLogger: Logger = {
  debug: () => {},
  info: level('info', colour.green),
  warn: level('warn', colour.yellow),
  error: level('error', colour.red),
};
