import { connect, type Socket } from 'node:net';
import { BackendTimeoutError, BackendUnavailableError } from '@resilient-store/core/backend';
import memjs from 'memjs';
import { Opcode, type Reply, request, Status } from './protocol.js';
import type { MemcachedSettings, ServerAddress } from './settings.js';

/**
 * One memcached server: its socket, its requests in flight, and whether it can serve.
 *
 * memjs's `Client` drives this in place of its own `Server` (it calls `onResponse`,
 * `onError` and `write`, nothing else). memjs 1.3's `Server` has traps a resilient
 * cache cannot live with, each handled here:
 * - it keeps one parse buffer across sockets and never empties it when a socket dies,
 *   so half a reply left by a timed-out socket is glued to the next socket's bytes and
 *   a misaligned frame can carry another request's opaque. Here each socket has its own
 *   parser, and a frame whose magic byte is wrong drops the connection.
 * - a replaced socket's late `close`/`error`/`data` events act on the live one. Here
 *   every listener first checks that its socket is still the current one.
 * - a timed-out socket is only `end()`ed, so a paused server's late replies still
 *   arrive on it. Here a dead socket is destroyed: a late reply has nowhere to go, and
 *   a reply whose opaque has no waiting request is dropped (and counted).
 * - it retries on a timer `close()` cannot clear, and reports a paused server as
 *   connected as soon as the kernel accepts the TCP connection. Here retries are the
 *   backend's (bounded, immediate), and a connection serves only after the server
 *   answered a NOOP (and SASL, when configured).
 */

/** A request that failed because its connection was lost: safe to send again on the next one. */
export class ConnectionLostError extends Error {
  readonly retryable = true;
}

interface Waiter {
  response: ((reply: Reply) => void) | undefined;
  error: ((error: Error) => void) | undefined;
}

type State = 'connecting' | 'ready' | 'down' | 'closed';

const HEADER_BYTES = 24;
const RESPONSE_MAGIC = 0x81;
/** The handshake's NOOP; no memjs sequence number is sent before the handshake ends. */
const HANDSHAKE_OPAQUE = 0xffff_fffe;
const FIRST_RECONNECT_DELAY_MS = 50;

export class ServerConnection {
  readonly host: string;
  readonly port: number;
  /** Read by memjs's `Client#server`; never set, so memjs never re-routes a key to another server. */
  readonly wakeupAt: number | undefined = undefined;
  /** Replies that matched no waiting request (late replies to given-up calls). */
  droppedReplies = 0;

  readonly #settings: MemcachedSettings;
  readonly #onChange: (available: boolean, cause: Error | undefined) => void;
  readonly #waiters = new Map<number, Waiter>();
  /** Reply deadlines in send order: [opaque, deadline, opaque, deadline, …]. */
  #deadlines: number[] = [];
  #deadlineTimer: NodeJS.Timeout | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #reconnects = 0;
  #state: State = 'connecting';
  #socket: Socket | undefined;
  /** Requests written while connecting, sent once the handshake succeeds. */
  #queued: Buffer[] = [];
  #lastError: Error | undefined;
  // Parser of the current socket.
  #chunks: Buffer[] = [];
  #buffered = 0;
  #need = HEADER_BYTES;

  constructor(
    address: ServerAddress,
    settings: MemcachedSettings,
    onChange: (available: boolean, cause: Error | undefined) => void,
  ) {
    this.host = address.host;
    this.port = address.port;
    this.#settings = settings;
    this.#onChange = onChange;
    this.#connect();
  }

  get available(): boolean {
    return this.#state === 'ready';
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  toString(): string {
    return `${this.host}:${this.port}`;
  }

  // The part of memjs's Server that its Client uses.
  onResponse(seq: number, fn: (reply: Reply) => void): void {
    const waiter = this.#waiters.get(seq);
    if (waiter) waiter.response = fn;
    else this.#waiters.set(seq, { response: fn, error: undefined });
  }

  onError(seq: number, fn: (error: Error) => void): void {
    const waiter = this.#waiters.get(seq);
    if (waiter) waiter.error = fn;
    else this.#waiters.set(seq, { response: undefined, error: fn });
  }

  /** Sends one framed request; its opaque (bytes 12-15) names the waiter registered for it. */
  write(frame: Buffer): void {
    const opaque = frame.readUInt32BE(12);
    switch (this.#state) {
      case 'ready':
        this.#track(opaque);
        (this.#socket as Socket).write(frame);
        return;
      case 'connecting':
        this.#track(opaque);
        this.#queued.push(frame);
        return;
      default:
        this.#fail(opaque, this.#unavailable());
    }
  }

  /** Sends requests in one write; resolves with their replies in order. */
  pipeline(frames: readonly Buffer[]): Promise<Reply[]> {
    return new Promise((resolve, reject) => {
      const replies: Reply[] = new Array(frames.length);
      let left = frames.length;
      let failed = false;
      frames.forEach((frame, index) => {
        const opaque = frame.readUInt32BE(12);
        this.#waiters.set(opaque, {
          response: (reply) => {
            replies[index] = reply;
            if (--left === 0) resolve(replies);
          },
          error: (error) => {
            if (failed) return;
            failed = true;
            // The others fail with the same cause (the connection is gone) or were answered.
            for (const other of frames) this.#waiters.delete(other.readUInt32BE(12));
            reject(error);
          },
        });
      });
      if (this.#state !== 'ready' && this.#state !== 'connecting') {
        this.#fail(frames[0]?.readUInt32BE(12) ?? 0, this.#unavailable());
        return;
      }
      for (const frame of frames) this.#track(frame.readUInt32BE(12));
      const blob = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames);
      if (this.#state === 'ready') (this.#socket as Socket).write(blob);
      else this.#queued.push(blob);
    });
  }

  /** Forgets a request: its reply, if one comes, is dropped. */
  cancel(opaque: number): void {
    this.#waiters.delete(opaque);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    this.#drop(new BackendUnavailableError(this.#name(), 'closed'));
  }

  #name(): string {
    return `${this.#settings.name} ${this.toString()}`;
  }

  #unavailable(): Error {
    if (this.#state === 'closed') return new BackendUnavailableError(this.#name(), 'closed');
    const cause = this.#lastError?.message ?? 'not connected';
    return new BackendUnavailableError(this.#name(), `server is down (${cause})`);
  }

  #connect(): void {
    this.#state = 'connecting';
    const socket = connect({ host: this.host, port: this.port });
    this.#socket = socket;
    this.#chunks = [];
    this.#buffered = 0;
    this.#need = HEADER_BYTES;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.#settings.keepAliveDelay);
    this.#connectTimer = setTimeout(() => {
      if (socket === this.#socket) {
        this.#lose(new Error(`no connection within ${this.#settings.connectTimeout} ms`), false);
      }
    }, this.#settings.connectTimeout);
    socket.on('connect', () => {
      if (socket !== this.#socket) return;
      const handshake: Buffer[] = [];
      const credentials = this.#settings.credentials;
      if (credentials) {
        const auth = `\u0000${credentials.username}\u0000${credentials.password}`;
        handshake.push(request(Opcode.saslAuth, 'PLAIN', HANDSHAKE_OPAQUE - 1, undefined, auth));
      }
      handshake.push(request(Opcode.noop, '', HANDSHAKE_OPAQUE));
      socket.write(Buffer.concat(handshake));
    });
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.#socket) this.#read(socket, chunk);
    });
    socket.on('error', (error) => {
      if (socket === this.#socket) this.#lose(error, true);
    });
    socket.on('close', () => {
      if (socket === this.#socket) this.#lose(new Error('connection closed by the server'), true);
    });
  }

  #read(socket: Socket, chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#need) return;
    const data = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    let offset = 0;
    let need = HEADER_BYTES;
    while (data.length - offset >= HEADER_BYTES) {
      if (data[offset] !== RESPONSE_MAGIC) {
        this.#lose(
          new Error('memcached sent a frame that is not a binary-protocol response'),
          true,
        );
        return;
      }
      const frameBytes = HEADER_BYTES + data.readUInt32BE(offset + 8);
      if (data.length - offset < frameBytes) {
        need = frameBytes;
        break;
      }
      const reply = memjs.Utils.parseMessage(data.subarray(offset, offset + frameBytes)) as Reply;
      offset += frameBytes;
      this.#dispatch(reply);
      // A reply's handler may have dropped this connection.
      if (socket !== this.#socket) return;
    }
    const rest = offset === data.length ? undefined : data.subarray(offset);
    this.#chunks = rest ? [rest] : [];
    this.#buffered = rest?.length ?? 0;
    this.#need = need;
  }

  #dispatch(reply: Reply): void {
    const opaque = reply.header.opaque;
    if (this.#state === 'connecting') {
      this.#handshakeReply(reply);
      return;
    }
    const waiter = this.#waiters.get(opaque);
    if (!waiter) {
      this.droppedReplies++;
      return;
    }
    this.#waiters.delete(opaque);
    waiter.response?.(reply);
  }

  #handshakeReply(reply: Reply): void {
    if (reply.header.opcode === Opcode.saslAuth && reply.header.status !== Status.ok) {
      this.#lose(new Error('memcached SASL authentication failed'), false);
      return;
    }
    if (reply.header.opaque !== HANDSHAKE_OPAQUE) return;
    clearTimeout(this.#connectTimer);
    this.#state = 'ready';
    this.#reconnects = 0;
    this.#lastError = undefined;
    const queued = this.#queued;
    this.#queued = [];
    if (queued.length > 0) (this.#socket as Socket).write(Buffer.concat(queued));
    this.#onChange(true, undefined);
  }

  #track(opaque: number): void {
    this.#deadlines.push(opaque, performance.now() + this.#settings.operationTimeout);
    this.#deadlineTimer ??= setTimeout(
      () => this.#checkDeadlines(),
      this.#settings.operationTimeout,
    );
  }

  /**
   * A reply overdue on a ready connection means the server (or the path to it) is stuck:
   * the connection is dropped, as memjs does, which fails every request on it and makes
   * a late reply impossible. While connecting, only the overdue requests fail.
   */
  #checkDeadlines(): void {
    this.#deadlineTimer = undefined;
    const now = performance.now();
    const deadlines = this.#deadlines;
    let head = 0;
    while (head < deadlines.length) {
      const opaque = deadlines[head] as number;
      const deadline = deadlines[head + 1] as number;
      if (!this.#waiters.has(opaque)) {
        head += 2;
        continue;
      }
      if (deadline > now) break;
      const timeout = new BackendTimeoutError(this.#name(), this.#settings.operationTimeout);
      if (this.#state === 'ready') {
        this.#deadlines = [];
        this.#lose(timeout, false);
        return;
      }
      head += 2;
      this.#fail(opaque, timeout);
    }
    this.#deadlines = head === 0 ? deadlines : deadlines.slice(head);
    const next = this.#deadlines[1];
    if (next !== undefined) {
      this.#deadlineTimer = setTimeout(() => this.#checkDeadlines(), Math.max(1, next - now));
    }
  }

  #fail(opaque: number, error: Error): void {
    const waiter = this.#waiters.get(opaque);
    if (!waiter) return;
    this.#waiters.delete(opaque);
    waiter.error?.(error);
  }

  /** The connection is gone: fail what waits on it, report it, and try again later. */
  #lose(cause: Error, retryable: boolean): void {
    if (this.#state === 'closed' || this.#state === 'down') return;
    const wasReady = this.#state === 'ready';
    this.#lastError = cause;
    this.#state = 'down';
    const error = retryable
      ? new ConnectionLostError(`${this.#name()}: ${cause.message}`, { cause })
      : cause;
    this.#drop(error);
    if (wasReady) this.#onChange(false, cause);
    // The first reconnection is immediate: a server that closed an idle connection is
    // back at once, and a request being retried waits for it.
    const delay =
      wasReady && this.#reconnects === 0
        ? 0
        : Math.min(
            this.#settings.maxReconnectDelay,
            FIRST_RECONNECT_DELAY_MS * 2 ** this.#reconnects,
          );
    this.#reconnects++;
    if (delay === 0) {
      this.#connect();
      return;
    }
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === 'down') this.#connect();
    }, delay);
  }

  /** Destroys the socket and fails every waiting request with `error`. */
  #drop(error: Error): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlines = [];
    this.#queued = [];
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.error?.(error);
  }
}
