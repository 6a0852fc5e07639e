import { type ProbeTls, tcpExchange } from './tcp-exchange.js';

/** An error reply (`-ERR ...`) from Redis. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** A decoded RESP2 reply: simple/bulk strings as text, integers, nil, arrays, error replies. */
export type RespValue = string | number | null | RespError | RespValue[];

type Parsed = { value: RespValue; end: number } | undefined;

function parseAt(buf: Buffer, offset: number): Parsed {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RespError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`not a RESP reply (type byte ${JSON.stringify(type)})`);
  }
}

function encode(commands: readonly (readonly string[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const args of commands) {
    parts.push(Buffer.from(`*${args.length}\r\n`));
    for (const arg of args) {
      const bytes = Buffer.from(arg, 'utf8');
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
    }
  }
  return Buffer.concat(parts);
}

export interface RedisCommandOptions {
  timeoutMs?: number;
  /** Sent as AUTH first when set. */
  password?: string | undefined;
  username?: string | undefined;
  /** Connect over TLS, trusting this certificate: a TLS server answers nothing else. */
  tls?: ProbeTls | undefined;
}

/**
 * Sends `commands` pipelined on one fresh connection and returns one reply per command (error
 * replies included as RespError values). A dependency-free probe: the testkit must not need a
 * Redis driver to start or check a server.
 */
export async function redisPipeline(
  host: string,
  port: number,
  commands: readonly (readonly string[])[],
  opts: RedisCommandOptions = {},
): Promise<RespValue[]> {
  const auth: string[][] = [];
  if (opts.password !== undefined) {
    auth.push(opts.username ? ['AUTH', opts.username, opts.password] : ['AUTH', opts.password]);
  }
  const all = [...auth, ...commands];
  const replies = await tcpExchange(
    host,
    port,
    encode(all),
    (buf) => {
      const values: RespValue[] = [];
      let offset = 0;
      while (values.length < all.length) {
        const parsed = parseAt(buf, offset);
        if (parsed === undefined) return undefined;
        values.push(parsed.value);
        offset = parsed.end;
      }
      return values;
    },
    { timeoutMs: opts.timeoutMs ?? 2_000, tls: opts.tls },
  );
  const authReply = auth.length > 0 ? replies[0] : undefined;
  if (authReply instanceof RespError) throw authReply;
  return replies.slice(auth.length);
}

/** One command; an error reply is thrown as RespError. */
export async function redisCommand(
  host: string,
  port: number,
  args: readonly string[],
  opts: RedisCommandOptions = {},
): Promise<RespValue> {
  const [reply] = await redisPipeline(host, port, [args], opts);
  if (reply instanceof RespError) throw reply;
  return reply ?? null;
}

/** True when the server answers PING with PONG (false while loading, refused, paused or wrong password). */
export async function redisPing(
  host: string,
  port: number,
  opts: RedisCommandOptions = {},
): Promise<boolean> {
  try {
    return (await redisCommand(host, port, ['PING'], opts)) === 'PONG';
  } catch {
    return false;
  }
}
