import { tcpExchange } from './tcp-exchange.js';

export interface MemcachedRequestOptions {
  timeoutMs?: number;
}

const CRLF = '\r\n';

/** Reads one reply line; the whole reply for commands other than get. */
function firstLine(buf: Buffer): string | undefined {
  const end = buf.indexOf(CRLF);
  return end < 0 ? undefined : buf.toString('utf8', 0, end);
}

/**
 * Sends one storage or simple command over memcached's text protocol and returns its reply
 * line (`STORED`, `VERSION 1.6.x`, `SERVER_ERROR object too large for cache`, ...).
 * Dependency-free, like the Redis probe.
 */
export function memcachedCommand(
  host: string,
  port: number,
  request: Buffer | string,
  opts: MemcachedRequestOptions = {},
): Promise<string> {
  const bytes = typeof request === 'string' ? Buffer.from(request) : request;
  return tcpExchange(host, port, bytes, firstLine, { timeoutMs: opts.timeoutMs ?? 2_000 });
}

/** `set key flags exptime bytes` with `value`; resolves to the reply line (STORED on success). */
export function memcachedSet(
  host: string,
  port: number,
  key: string,
  value: Buffer | string,
  opts: MemcachedRequestOptions & { ttlSeconds?: number } = {},
): Promise<string> {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const head = Buffer.from(`set ${key} 0 ${opts.ttlSeconds ?? 0} ${data.length}${CRLF}`);
  return memcachedCommand(host, port, Buffer.concat([head, data, Buffer.from(CRLF)]), opts);
}

/** The value stored under `key`, or null on a miss. */
export function memcachedGet(
  host: string,
  port: number,
  key: string,
  opts: MemcachedRequestOptions = {},
): Promise<Buffer | null> {
  return tcpExchange(
    host,
    port,
    Buffer.from(`get ${key}${CRLF}`),
    (buf): Buffer | null | undefined => {
      const line = firstLine(buf);
      if (line === undefined) return undefined;
      if (line === 'END') return null;
      const match = /^VALUE \S+ \d+ (\d+)$/.exec(line);
      if (!match) throw new Error(`unexpected memcached reply: ${line}`);
      const start = line.length + CRLF.length;
      const length = Number(match[1]);
      // The value, its CRLF, then END CRLF.
      if (buf.length < start + length + CRLF.length + `END${CRLF}`.length) return undefined;
      return Buffer.from(buf.subarray(start, start + length));
    },
    { timeoutMs: opts.timeoutMs ?? 2_000 },
  );
}

/** True when the server answers `version`. */
export async function memcachedPing(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<boolean> {
  try {
    return (await memcachedCommand(host, port, `version${CRLF}`, { timeoutMs })).startsWith(
      'VERSION ',
    );
  } catch {
    return false;
  }
}
