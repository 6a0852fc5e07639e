import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  liveServerCount,
  ServerBinaryNotFoundError,
  startMemcached,
  startPostgres,
  startRedis,
  startRedisCluster,
} from '../../src/servers/index.js';

const emptyDir = mkdtempSync(join(tmpdir(), 'rs-no-binaries-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

describe('a missing server binary', () => {
  it.each([
    ['redis-server', () => startRedis({ binDir: emptyDir }), 'apt-get install -y redis-server'],
    [
      'redis-server',
      () => startRedisCluster({ binDir: emptyDir }),
      'apt-get install -y redis-server',
    ],
    ['memcached', () => startMemcached({ binDir: emptyDir }), 'apt-get install -y memcached'],
    ['postgres', () => startPostgres({ binDir: emptyDir }), 'apt-get install -y postgresql'],
  ])('%s: typed error that says how to install it', async (binary, start, hint) => {
    const before = liveServerCount();
    const error = await start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerBinaryNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_RS_TEST_BINARY_NOT_FOUND', binary });
    expect((error as Error).message).toContain(hint);
    expect((error as Error).message).toContain(emptyDir);
    expect(liveServerCount()).toBe(before);
  });
});
