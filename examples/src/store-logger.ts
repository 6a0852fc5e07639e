/**
 * The service's pino logger for the demo: every line the service and its store log
 * (one per state change, never one per request) is printed stamped like everything
 * else, level and message only; the structured fields are for log pipelines.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { colour, say } from './output.js';

const LEVELS: Record<number, [string, (text: string) => string]> = {
  30: ['info', colour.green],
  40: ['warn', colour.yellow],
  50: ['error', colour.red],
  60: ['fatal', colour.red],
};

export function demoLogger(): Logger {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const { level, msg } = JSON.parse(line) as { level: number; msg?: string };
        const [name, tint] = LEVELS[level] ?? ['log', (t: string) => t];
        say('log', `${name.padEnd(5)} ${msg ?? ''}`, tint);
      }
      done();
    },
  });
  return pino({ level: 'info' }, lines);
}
