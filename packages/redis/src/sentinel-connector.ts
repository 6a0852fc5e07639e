import { type SentinelConnectionOptions, SentinelConnector } from 'ioredis';

type ErrorEmitter = Parameters<SentinelConnector['connect']>[0];
type NetStream = Awaited<ReturnType<SentinelConnector['connect']>>;

/** What ioredis rejects a connection attempt with once the client was disconnected. */
const CONNECTION_CLOSED = 'Connection is closed.';

/** The lookup step of ioredis's connector, private in its types. */
interface SentinelLookups {
  connectToSentinel(endpoint: unknown, options?: Record<string, unknown>): unknown;
}

/**
 * ioredis's Sentinel connector without the two things it leaves running after close():
 * - when no sentinel answers, it waits `sentinelRetryStrategy`'s delay on a timer that
 *   `disconnect()` cannot clear, and then looks the master up again, opening a connection
 *   to a sentinel for a client that was closed in the meantime;
 * - each lookup's short-lived connection to a sentinel gets ioredis's default 2 s
 *   disconnect grace, a timer that outlives a lookup whose connection had already failed.
 *
 * Here each round of lookups runs without a retry of its own; the wait between rounds is
 * this connector's, and `disconnect()` clears it. Lookup connections close at once: a
 * lookup has nothing left to flush once it has its answer. The error of a round that
 * reached no sentinel names why the last lookup failed, which operators see as the cause.
 */
export class SentinelLookupConnector extends SentinelConnector {
  readonly #retryDelay: NonNullable<SentinelConnectionOptions['sentinelRetryStrategy']>;
  #cancelWait: (() => void) | undefined;
  /** Why the last lookup's connection failed: ioredis keeps only "Connection is closed." */
  #lookupError: Error | undefined;

  /** ioredis constructs its connector from the client's options, typed `unknown` there. */
  constructor(options: unknown) {
    const sentinel = options as SentinelConnectionOptions;
    super({ ...sentinel, sentinelRetryStrategy: () => null });
    this.#retryDelay = sentinel.sentinelRetryStrategy ?? (() => null);
  }

  override async connect(emit: ErrorEmitter): Promise<NetStream> {
    for (let round = 1; ; round++) {
      try {
        return await super.connect(emit);
      } catch (error) {
        // Still connecting after a failed round means no sentinel answered (a close()
        // during the round ends `connecting`); anything else is ioredis's to report.
        const delay = this.#retryDelay(round);
        if (!this.connecting || typeof delay !== 'number') throw error;
        emit('error', retrying(error, delay, this.#lookupError));
        this.#lookupError = undefined;
        await this.#wait(delay);
      }
    }
  }

  override disconnect(): void {
    this.#cancelWait?.();
    super.disconnect();
  }

  /** Creates the connection of one lookup (see below): closed at once, its errors kept. */
  lookupConnection(endpoint: unknown, options?: Record<string, unknown>): unknown {
    const client = base.connectToSentinel.call(this, endpoint, {
      ...options,
      disconnectTimeout: 0,
    });
    (client as { on(event: 'error', listener: (error: Error) => void): void }).on(
      'error',
      (error) => {
        this.#lookupError = error;
      },
    );
    return client;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#cancelWait = undefined;
        resolve();
      }, ms);
      this.#cancelWait = () => {
        this.#cancelWait = undefined;
        clearTimeout(timer);
        reject(new Error(CONNECTION_CLOSED));
      };
    });
  }
}

/**
 * ioredis's "no sentinel answered" error, saying what happens next instead of "retry is
 * disabled", and naming the lookup's own failure (`connect ECONNREFUSED …`) when ioredis
 * only kept "Connection is closed.".
 */
function retrying(error: unknown, delay: number, lookupError: Error | undefined): Error {
  let message = error instanceof Error ? error.message : String(error);
  message = message.replace(/ and retry is disabled\./, `; retrying in ${delay} ms.`);
  if (lookupError) message = message.replace(/Connection is closed\.$/, lookupError.message);
  return new Error(message, { cause: error });
}

// ioredis's private lookup step, replaced on this connector only: nothing else is patched.
const base = SentinelConnector.prototype as unknown as SentinelLookups;
if (typeof base.connectToSentinel === 'function') {
  (SentinelLookupConnector.prototype as unknown as SentinelLookups).connectToSentinel =
    SentinelLookupConnector.prototype.lookupConnection;
}
