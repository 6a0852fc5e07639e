import { connect, type Socket } from 'node:net';

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A complete reply ends at `end`; an incomplete one needs at least `needAtLeast` bytes. */
type Scan = { end: number } | { needAtLeast: number };

/** Scans the RESP reply starting at `offset` without copying it. */
function scanReply(buffer: Buffer, offset: number): Scan {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return { needAtLeast: buffer.length + 1 };
  const type = String.fromCharCode(buffer[offset] ?? 0);
  const header = Number(buffer.toString('latin1', offset + 1, lineEnd));
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
      return { end: afterLine };
    case '$': {
      if (header < 0) return { end: afterLine };
      const end = afterLine + header + 2;
      return buffer.length >= end ? { end } : { needAtLeast: end };
    }
    case '*': {
      let cursor = afterLine;
      for (let i = 0; i < header; i++) {
        const element = scanReply(buffer, cursor);
        if (!('end' in element)) return element;
        cursor = element.end;
      }
      return { end: cursor };
    }
    default:
      throw new Error(
        `not a RESP reply: ${JSON.stringify(buffer.toString('latin1', offset, lineEnd))}`,
      );
  }
}

export interface ReceivedChunk {
  at: number;
  bytes: number;
}

/**
 * A raw TCP client speaking RESP, recording exactly what arrives and when, so tests can
 * observe what the proxy does to the byte stream.
 */
export class RespClient {
  readonly socket: Socket;
  readonly chunks: ReceivedChunk[] = [];
  /** Every error the socket emitted, in order. */
  readonly errors: NodeJS.ErrnoException[] = [];
  /** Resolves with the time the peer's FIN (or the socket's close) arrived. */
  readonly ended: Promise<number>;
  readonly closed: Promise<number>;
  /** Received bytes not yet returned by read(), joined only once a reply can be complete. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needAtLeast = 1;
  private totalBytes = 0;
  private waiter: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push({ at: performance.now(), bytes: chunk.length });
      this.totalBytes += chunk.length;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      this.waiter?.();
    });
    socket.on('error', (error) => this.errors.push(error));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve(performance.now())));
    this.ended = new Promise((resolve) => {
      socket.once('end', () => resolve(performance.now()));
      socket.once('close', () => resolve(performance.now()));
    });
    // A waiting read must notice the connection ending, not only new bytes.
    socket.once('close', () => this.waiter?.());
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
    });
  }

  get bytesReceived(): number {
    return this.totalBytes;
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  send(...args: (string | Buffer)[]): void {
    this.socket.write(encodeCommand(...args));
  }

  /** Resolves with the next complete reply, or rejects after `timeoutMs` or on close. */
  read(timeoutMs = 5_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (error?: Error, reply?: Buffer) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (error !== undefined) reject(error);
        else resolve(reply ?? Buffer.alloc(0));
      };
      const check = () => {
        if (this.pendingBytes >= this.needAtLeast) {
          const buffer = Buffer.concat(this.pending);
          const scan = scanReply(buffer, 0);
          if ('end' in scan) {
            const rest = buffer.subarray(scan.end);
            this.pending = rest.length > 0 ? [rest] : [];
            this.pendingBytes = rest.length;
            this.needAtLeast = 1;
            finish(undefined, buffer.subarray(0, scan.end));
            return;
          }
          this.pending = [buffer];
          this.needAtLeast = scan.needAtLeast;
        }
        if (this.socket.destroyed) finish(new Error('connection closed before a complete reply'));
      };
      this.waiter = check;
      check();
    });
  }

  /** Sends a command and returns its reply as text. */
  async command(...args: (string | Buffer)[]): Promise<string> {
    this.send(...args);
    return (await this.read()).toString();
  }

  /** Milliseconds for one PING round trip. */
  async pingTime(): Promise<number> {
    const started = performance.now();
    const reply = await this.command('PING');
    if (reply !== '+PONG\r\n') throw new Error(`unexpected PING reply ${JSON.stringify(reply)}`);
    return performance.now() - started;
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}

/** Connects and resolves with the error the connection attempt failed with. */
export function connectError(port: number, host = '127.0.0.1'): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('error', resolve);
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`connection to port ${port} unexpectedly succeeded`));
    });
  });
}

/**
 * Connects and resolves with the first error the connection sees, whether during the
 * handshake or after it; rejects if the connection closes cleanly instead.
 */
export function firstError(port: number, host = '127.0.0.1'): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('error', resolve);
    socket.once('close', (hadError) => {
      if (!hadError) reject(new Error(`connection to port ${port} closed without an error`));
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median PING round trip over `samples` pings on one connection. */
export async function medianPing(client: RespClient, samples = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await client.pingTime());
  return median(times);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}
