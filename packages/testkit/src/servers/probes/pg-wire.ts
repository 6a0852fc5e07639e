import { tcpExchange } from './tcp-exchange.js';

/** An ErrorResponse from PostgreSQL; `code` is its SQLSTATE. */
export class PgError extends Error {
  override readonly name = 'PgError';
  readonly sqlState: string;
  constructor(message: string, sqlState: string) {
    super(message);
    this.sqlState = sqlState;
  }
}

export interface PgConnectOptions {
  user: string;
  database: string;
  timeoutMs?: number;
}

export interface PgResult {
  /** Rows of the last statement that returned any, each column as text (null for NULL). */
  rows: (string | null)[][];
  /** Command tags, e.g. ['CREATE TABLE', 'INSERT 0 1']. */
  commands: string[];
}

function startupMessage(user: string, database: string): Buffer {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196_608, 4); // protocol 3.0
  return Buffer.concat([head, params]);
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

function errorFrom(body: Buffer): PgError {
  const fields = new Map<string, string>();
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const type = String.fromCharCode(body[offset] ?? 0);
    const end = body.indexOf(0, offset + 1);
    fields.set(type, body.toString('utf8', offset + 1, end));
    offset = end + 1;
  }
  return new PgError(fields.get('M') ?? 'unknown error', fields.get('C') ?? '');
}

function dataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const row: (string | null)[] = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      row.push(null);
    } else {
      row.push(body.toString('utf8', offset, offset + length));
      offset += length;
    }
  }
  return row;
}

/**
 * Connects with trust authentication and, when `sql` is given, runs it with the simple query
 * protocol (several statements allowed). Without `sql` it only proves that the server accepts
 * sessions. A dependency-free probe: the testkit must not need the pg driver.
 */
export async function pgSimpleQuery(
  host: string,
  port: number,
  opts: PgConnectOptions,
  sql?: string,
): Promise<PgResult> {
  const parts = [startupMessage(opts.user, opts.database)];
  if (sql !== undefined) parts.push(message('Q', Buffer.from(`${sql}\0`)));
  parts.push(message('X', Buffer.alloc(0)));
  const readyNeeded = sql === undefined ? 1 : 2;

  const outcome = await tcpExchange(
    host,
    port,
    Buffer.concat(parts),
    (buf): { result: PgResult; error?: PgError } | undefined => {
      const result: PgResult = { rows: [], commands: [] };
      let rows: (string | null)[][] = [];
      let error: PgError | undefined;
      let ready = 0;
      let offset = 0;
      while (offset + 5 <= buf.length) {
        const type = String.fromCharCode(buf[offset] ?? 0);
        const length = buf.readInt32BE(offset + 1);
        if (offset + 1 + length > buf.length) return undefined;
        const body = buf.subarray(offset + 5, offset + 1 + length);
        offset += 1 + length;
        if (type === 'R' && body.readInt32BE(0) !== 0) {
          throw new PgError('the test server must use trust authentication', '28000');
        }
        if (type === 'E') {
          error ??= errorFrom(body);
          // Errors before the session is ready (e.g. "starting up") end the exchange.
          if (ready === 0) return { result, error };
        }
        if (type === 'T') rows = [];
        if (type === 'D') rows.push(dataRow(body));
        if (type === 'C') {
          result.commands.push(body.toString('utf8', 0, body.length - 1));
          if (rows.length > 0) result.rows = rows;
        }
        if (type === 'Z' && ++ready === readyNeeded) return { result, error };
      }
      return undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 5_000 },
  );
  if (outcome.error) throw outcome.error;
  return outcome.result;
}

/** True once the server accepts a session (false while starting up, refused or paused). */
export async function pgReady(
  host: string,
  port: number,
  opts: PgConnectOptions,
): Promise<boolean> {
  try {
    await pgSimpleQuery(host, port, opts);
    return true;
  } catch {
    return false;
  }
}
