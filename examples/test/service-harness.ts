/**
 * Starts the conversation service for a test, on a free loopback port, configured from
 * the given environment, with its log lines captured for assertions.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { readConfig } from '../conversation-service/src/config.js';
import { buildService, type Service } from '../conversation-service/src/service.js';

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface TestService {
  readonly service: Service;
  readonly url: string;
  /** Every line logged so far, at every level (debug included). */
  readonly logs: LogLine[];
  close(): Promise<void>;
}

export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const config = readConfig({ PORT: '0', HOST: '127.0.0.1', ANSWER_DELAY_MS: '0', ...env });
  const service = await buildService({ config, logger: pino({ level: 'debug' }, sink) });
  const url = await service.listen();
  return { service, url, logs, close: () => service.close() };
}

/** The messages logged at info level or above. */
export function infoAndAbove(logs: readonly LogLine[]): LogLine[] {
  return logs.filter((line) => line.level >= 30);
}

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
