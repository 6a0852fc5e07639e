import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleLogger, jsonLineLogger, type LogLevel } from '../src/logger.js';

function recorder(debug = false) {
  const lines: Array<{ level: LogLevel; line: string }> = [];
  const logger = jsonLineLogger({
    write: (level, line) => lines.push({ level, line }),
    debug,
    now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
  });
  const parsed = () => lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('jsonLineLogger', () => {
  it('writes one JSON object per event: time, level, name, message, then the fields', () => {
    const { logger, lines, parsed } = recorder();
    logger.warn({ event: 'failover', from: 'redis', to: 'memory' }, 'backend "redis" failed');
    logger.info('serving again');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(lines[0]!.line).toBe(
      '{"time":"2026-01-02T03:04:05.006Z","level":"warn","name":"resilient-store",' +
        '"msg":"backend \\"redis\\" failed","event":"failover","from":"redis","to":"memory"}',
    );
    expect(parsed()[1]).toEqual({
      time: '2026-01-02T03:04:05.006Z',
      level: 'info',
      name: 'resilient-store',
      msg: 'serving again',
    });
  });

  it('keeps every event on one line, whatever its message and fields hold', () => {
    const { logger, lines, parsed } = recorder();
    const error = Object.assign(new Error('connect ECONNREFUSED\n127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    logger.error({ err: error, causes: ['redis: a\nb'], nested: { deep: [1, { x: 2 }] } }, 'x\ny');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line).not.toMatch(/[\n\r]/);
    expect(parsed()[0]).toMatchObject({
      msg: 'x\ny',
      err: { type: 'Error', message: 'connect ECONNREFUSED\n127.0.0.1:6379', code: 'ECONNREFUSED' },
      causes: ['redis: a\nb'],
      nested: { deep: [1, { x: 2 }] },
    });
  });

  it('writes errors with their causes, bigints, and cycles without throwing', () => {
    const { logger, parsed } = recorder();
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: inner });
    const selfCaused = new Error('loop');
    selfCaused.cause = selfCaused;
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    const shared = { twice: true };
    logger.warn({ outer, selfCaused, cyclic, big: 10n ** 20n, a: shared, b: shared }, 'odd fields');
    expect(parsed()[0]).toMatchObject({
      outer: { type: 'Error', message: 'outer', cause: { type: 'Error', message: 'inner' } },
      selfCaused: { message: 'loop', cause: '[Circular]' },
      cyclic: { id: 1, self: '[Circular]' },
      big: '100000000000000000000',
      // The same object twice side by side is not a cycle.
      a: { twice: true },
      b: { twice: true },
    });
  });

  it("keeps an event's fields named like the line's own under `fields`", () => {
    const { logger, parsed } = recorder();
    logger.info({ level: 'custom', msg: 'theirs', backend: 'redis' }, 'ours');
    expect(parsed()[0]).toMatchObject({
      level: 'info',
      msg: 'ours',
      backend: 'redis',
      fields: { level: 'custom', msg: 'theirs' },
    });
  });

  it('drops debug lines unless asked for', () => {
    const quiet = recorder();
    quiet.logger.debug('hidden');
    expect(quiet.lines).toEqual([]);
    const verbose = recorder(true);
    verbose.logger.debug({ n: 1 }, 'shown');
    expect(verbose.parsed()[0]).toMatchObject({ level: 'debug', msg: 'shown', n: 1 });
  });
});

describe('consoleLogger (the default)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON line per event: warnings and errors on stderr, the rest on stdout', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stdout = vi.spyOn(console, 'log').mockImplementation(() => {});
    consoleLogger.warn({ event: 'failover', from: 'redis', to: 'memory' }, 'failed over');
    consoleLogger.info({ event: 'recovered', backend: 'redis' }, 'recovered');
    consoleLogger.debug('not printed');
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stdout).toHaveBeenCalledTimes(1);
    const [warnLine] = stderr.mock.calls[0]!;
    const [infoLine] = stdout.mock.calls[0]!;
    expect(JSON.parse(String(warnLine))).toMatchObject({ level: 'warn', event: 'failover' });
    expect(JSON.parse(String(infoLine))).toMatchObject({ level: 'info', backend: 'redis' });
  });
});
