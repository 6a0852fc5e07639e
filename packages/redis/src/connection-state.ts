import type { AvailabilitySignal } from '@resilient-store/core/backend';
import {
  BackendTimeoutError,
  BackendUnavailableError,
  toError,
} from '@resilient-store/core/backend';
import type { RedisClient } from './options.js';

type Listener = (available: boolean, cause?: Error) => void;

/** Statuses of a client that has not finished (or not started) its first connection. */
const CONNECTING = new Set(['wait', 'connecting', 'connect']);
/** Statuses that mean the connection is gone. 'reconnecting' always follows a 'close'. */
const DOWN_EVENTS = ['close', 'end', 'reconnecting'] as const;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Tracks an ioredis client's connection from its status events and serves two purposes:
 * the backend's `availability` signal (available only while the client is `ready`), and
 * the gate every operation passes before it is sent, which fails at once while the
 * client is disconnected instead of waiting for a reconnection.
 */
export class ConnectionState implements AvailabilitySignal {
  readonly #client: RedisClient;
  readonly #backend: string;
  readonly #listeners = new Set<Listener>();
  /** Operations that arrived during the very first connection attempt. */
  readonly #waiters = new Set<(error: Error | undefined) => void>();
  readonly #detachers: Array<() => void> = [];
  #available: boolean;
  #lastError: Error | undefined;
  #initialConnect: boolean;
  #closed = false;
  #everReady: boolean;

  constructor(client: RedisClient, backend: string, options: { keepErrorListener: boolean }) {
    this.#client = client;
    this.#backend = backend;
    this.#available = client.status === 'ready';
    this.#everReady = this.#available;
    this.#initialConnect = CONNECTING.has(client.status);

    // Without an 'error' listener ioredis prints every connection error to the console,
    // and a Cluster may emit 'error' with plain EventEmitter semantics, which would throw.
    // The error is remembered as the cause of the next transition, never logged per op.
    const usesTls = clientUsesTls(client);
    const onNodeError = (error: unknown) => {
      this.#lastError = explain(toError(error), usesTls, this.#everReady);
    };
    const onError = (error: unknown) => {
      onNodeError(error);
      // The first connection failed. Usually 'close' follows and says so too, but a
      // Sentinel lookup that reached no sentinel only reports this error and keeps the
      // client connecting; operations waiting for that first connection should not each
      // wait out their timeout for it. (A cluster's 'node error' is not a failure of the
      // whole client: other nodes may still connect.)
      if (this.#initialConnect) this.#down();
    };
    client.on('error', onError);
    client.on('node error', onNodeError);
    if (!options.keepErrorListener) this.#detachers.push(() => client.off('error', onError));
    this.#detachers.push(() => client.off('node error', onNodeError));

    this.#listen('ready', () => {
      this.#everReady = true;
      this.#initialConnect = false;
      this.#lastError = undefined;
      this.#transition(true, undefined);
    });
    for (const event of DOWN_EVENTS) this.#listen(event, () => this.#down());
  }

  isAvailable(): boolean {
    return this.#available;
  }

  subscribe(listener: Listener): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe independently.
    const entry: Listener = (available, cause) => listener(available, cause);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /**
   * Resolves when a command may be sent now. While the first connection is still being
   * set up, waits for it up to `timeoutMs`; after that, rejects at once whenever the
   * client is not ready, so a known-down Redis costs no timeout.
   */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.#available) return RESOLVED;
    if (this.#closed) return Promise.reject(new BackendUnavailableError(this.#backend, 'closed'));
    if (!this.#initialConnect) return Promise.reject(this.unavailableError());
    if (this.#client.status === 'wait') {
      // An adopted lazyConnect client: start connecting; failures arrive as 'error'/'close'.
      this.#client.connect().catch(() => {});
    }
    return new Promise<void>((resolve, reject) => {
      const settle = (error: Error | undefined) => {
        clearTimeout(timer);
        this.#waiters.delete(settle);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new BackendTimeoutError(this.#backend, timeoutMs)),
        timeoutMs,
      );
      this.#waiters.add(settle);
    });
  }

  /** The error an operation gets while the client is not ready. */
  unavailableError(): BackendUnavailableError {
    const reason = this.#closed ? 'closed' : `not connected (${this.#cause().message})`;
    return new BackendUnavailableError(this.#backend, reason);
  }

  /** Final transition to unavailable; stops listening to the client. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#initialConnect = false;
    this.#transition(false, new BackendUnavailableError(this.#backend, 'closed'));
    for (const detach of this.#detachers.splice(0)) detach();
    this.#listeners.clear();
  }

  #listen(event: string, handler: () => void): void {
    this.#client.on(event, handler);
    this.#detachers.push(() => this.#client.off(event, handler));
  }

  /** The connection is gone, or the first one failed: waiting operations fail with the cause. */
  #down(): void {
    this.#initialConnect = false;
    this.#transition(false, this.#cause());
  }

  #cause(): Error {
    return (
      // A server that closes the socket (killed, restarted, idle timeout) emits no
      // 'error' first, so there is no better cause to give than the close itself.
      this.#lastError ?? new Error('the server closed the connection')
    );
  }

  #transition(available: boolean, cause: Error | undefined): void {
    if (!available && this.#waiters.size > 0) {
      const error = this.unavailableError();
      for (const settle of [...this.#waiters]) settle(error);
    }
    if (available) {
      for (const settle of [...this.#waiters]) settle(undefined);
    }
    if (this.#available === available) return;
    this.#available = available;
    for (const listener of [...this.#listeners]) {
      try {
        if (available) listener(true);
        else listener(false, cause);
      } catch (error) {
        // A faulty listener must neither break ioredis' event dispatch nor starve the
        // other listeners; surface it as a process warning instead of swallowing it.
        process.emitWarning(toError(error));
      }
    }
  }
}

function clientUsesTls(client: RedisClient): boolean {
  const options = client.options as { tls?: unknown; redisOptions?: { tls?: unknown } };
  return Boolean(options.tls ?? options.redisOptions?.tls);
}

const TIMED_OUT = new Set(['ETIMEDOUT']);

/** Error codes of a connection the server dropped: reset, or written to after it closed. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE']);

const hasCode = (error: Error, codes: ReadonlySet<string>): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code !== undefined && codes.has(code)) || [...codes].some((c) => error.message.includes(c))
  );
};

/**
 * A TLS mismatch between client and server reads like a network fault. A TLS client
 * talking to a plain-text server never completes its handshake and sees only a connect
 * timeout, like an unreachable address; a plain-text client talking to a TLS port is
 * reset as soon as it writes, like a crashing server. Until the first connection has
 * succeeded, say what it most likely is.
 */
function explain(error: Error, usesTls: boolean, everReady: boolean): Error {
  if (everReady) return error;
  let hint: string | undefined;
  if (usesTls && hasCode(error, TIMED_OUT)) {
    hint = 'the TLS handshake did not complete: is the server speaking TLS on this port?';
  } else if (!usesTls && hasCode(error, DROPPED)) {
    hint =
      'the server dropped the connection before any reply: if it expects TLS on this port, ' +
      'use a rediss:// URL or the tls option';
  }
  return hint === undefined ? error : new Error(`${error.message} (${hint})`, { cause: error });
}
