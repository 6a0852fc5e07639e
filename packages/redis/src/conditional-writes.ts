import { createHash } from 'node:crypto';
import {
  type ConditionalWrites,
  checkConditionalEntry,
  storedBytes,
} from '@resilient-store/core/backend';
import { Cluster } from 'ioredis';
import { REDIS_MAX_KEY_BYTES, type RedisClient } from './options.js';
import { groupBySlot, pick } from './slots.js';

/**
 * `setIfOlder` for Redis: one Lua script per batch (per hash slot in a cluster),
 * sent with EVALSHA, so reading the held value's stamp and writing are one atomic
 * step on the server. The script reads the stamp from the envelope header of what
 * the key holds — every format the store writes, both versions:
 *
 *   text v2    \x03 + 16 decimal digits (the stamp)
 *   text v1    \x02 + 13 decimal digits (ms; the stamp is ms × 1000)
 *   binary v2  0xa2, kind 0|1|2 (2: tombstone), 8-byte big-endian stamp
 *   binary v1  0xa1, kind 0|1, 8-byte big-endian ms (stamp ms × 1000)
 *
 * Anything else (absent, another type, bytes the store did not write) counts as
 * older, stamp -1. Stamps stay below 2^53, so a Lua double holds them exactly.
 *
 * ARGV holds three arguments per key: the stamp, the TTL in ms (0: none), the value.
 */
const SCRIPT = `
local function digits_at(v, first, count)
  if #v <= first + count - 1 then return nil end
  local digits = string.sub(v, first, first + count - 1)
  if not string.match(digits, '^%d+$') then return nil end
  return tonumber(digits)
end

local function stamp_of(v)
  if type(v) ~= 'string' or #v == 0 then return -1 end
  local marker = string.byte(v, 1)
  if marker == 3 then
    return digits_at(v, 2, 16) or -1
  elseif marker == 2 then
    local ms = digits_at(v, 2, 13)
    if ms then return ms * 1000 end
    return -1
  elseif (marker == 162 or marker == 161) and #v >= 10 then
    local kind = string.byte(v, 2)
    if kind > 2 or (kind == 2 and marker == 161) then return -1 end
    local b3, b4, b5, b6, b7, b8, b9, b10 = string.byte(v, 3, 10)
    local high = ((b3 * 256 + b4) * 256 + b5) * 256 + b6
    if high >= 2097152 then return -1 end
    local n = high * 4294967296 + ((b7 * 256 + b8) * 256 + b9) * 256 + b10
    if marker == 161 then return n * 1000 end
    return n
  end
  return -1
end

local written = {}
for i, key in ipairs(KEYS) do
  local at = (i - 1) * 3
  local stamp = tonumber(ARGV[at + 1])
  local ttl = tonumber(ARGV[at + 2])
  local held = redis.pcall('GET', key)
  if type(held) == 'table' then held = nil end
  if stamp_of(held) < stamp then
    if ttl > 0 then
      redis.call('SET', key, ARGV[at + 3], 'PX', ttl)
    else
      redis.call('SET', key, ARGV[at + 3])
    end
    written[i] = 1
  else
    written[i] = 0
  end
end
return written
`;

const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** Keys per script: bounds how long one script holds the server. */
const KEYS_PER_SCRIPT = 500;

interface Prepared {
  readonly key: string;
  readonly stamp: string;
  readonly ttl: string;
  readonly value: Buffer | string;
}

/**
 * The conditional writes of a Redis backend. `ready` waits for (or refuses
 * without) a connection, as every other multi-key command of the backend does.
 */
export function redisConditionalWrites(
  client: RedisClient,
  backend: string,
  maxValueBytes: number,
  ready: () => Promise<void>,
): ConditionalWrites {
  const limits = { maxKeyBytes: REDIS_MAX_KEY_BYTES, maxValueBytes };
  return {
    async setIfOlder(entries) {
      for (const entry of entries) checkConditionalEntry(entry, backend, limits);
      const prepared = entries.map(
        (entry): Prepared => ({
          key: entry.key,
          stamp: String(entry.stamp),
          ttl: String(entry.ttlMs ?? 0),
          // A string as it is (ioredis's cheaper path), bytes as a Buffer view.
          value: typeof entry.value === 'string' ? entry.value : storedBytes(entry.value),
        }),
      );
      if (prepared.length === 0) return [];
      await ready();
      const answers = new Array<boolean>(prepared.length).fill(false);
      // Entries of one slot keep their order: a repeated key sees the earlier write.
      const groups =
        client instanceof Cluster
          ? groupBySlot(prepared.map((p) => p.key)).map((g) => g.positions)
          : [prepared.map((_, i) => i)];
      const scripts: Array<Promise<void>> = [];
      for (const positions of groups) {
        for (let start = 0; start < positions.length; start += KEYS_PER_SCRIPT) {
          const chunk = positions.slice(start, start + KEYS_PER_SCRIPT);
          scripts.push(
            runScript(client, pick(prepared, chunk)).then((written) => {
              chunk.forEach((position, i) => {
                answers[position] = written[i] === 1;
              });
            }),
          );
        }
      }
      await Promise.all(scripts);
      return answers;
    },
  };
}

/** EVALSHA, or EVAL once when the server does not know the script yet (restart, flush). */
async function runScript(client: RedisClient, batch: readonly Prepared[]): Promise<number[]> {
  const args: Array<string | Buffer> = batch.map((p) => p.key);
  for (const p of batch) args.push(p.stamp, p.ttl, p.value);
  try {
    return (await client.evalsha(SCRIPT_SHA, batch.length, ...args)) as number[];
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return (await client.eval(SCRIPT, batch.length, ...args)) as number[];
  }
}
