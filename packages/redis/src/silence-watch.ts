import { LOOP_STALL_MS } from '@resilient-store/core/backend';
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './options.js';

/** What a node's socket had read when its silence began. */
interface Silence {
  readonly bytesRead: number;
  readonly since: number;
}

/**
 * Declares a silent server dead: a connection awaiting replies that reads nothing
 * for `silenceMs` is destroyed, so the client reconnects and the backend reports
 * itself unavailable (a black hole or a `SIGSTOP`ped server would otherwise keep a
 * dead socket "ready"). It replaces ioredis's `socketTimeout`, whose plain timer
 * fires after this process's own event loop was blocked, before the poll phase
 * could read the replies waiting in the socket, and so drops a healthy connection.
 *
 * One unref'd timer per backend checks every node a few times per `silenceMs`.
 * A check that runs more than `LOOP_STALL_MS` late (the loop was blocked) judges
 * nothing: after the waiting I/O has been read, every silence starts over.
 */
export class SilenceWatch {
  readonly #client: RedisClient;
  readonly #silenceMs: number;
  readonly #everyMs: number;
  readonly #silences = new Map<Redis, Silence>();
  #timer: NodeJS.Timeout | undefined;
  #due = 0;

  constructor(client: RedisClient, silenceMs: number) {
    this.#client = client;
    this.#silenceMs = silenceMs;
    this.#everyMs = Math.max(25, Math.floor(silenceMs / 4));
    this.#arm();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#silences.clear();
  }

  #arm(): void {
    this.#due = Date.now() + this.#everyMs;
    this.#timer = setTimeout(this.#check, this.#everyMs);
    this.#timer.unref();
  }

  readonly #check = (): void => {
    const now = Date.now();
    const stalled = now - this.#due > LOOP_STALL_MS;
    this.#arm();
    if (stalled) {
      setImmediate(this.#startOver);
      return;
    }
    // Rebuilt on each check, so a node a cluster dropped is forgotten.
    const previous = new Map(this.#silences);
    this.#silences.clear();
    for (const node of nodesOf(this.#client)) this.#checkNode(node, previous.get(node), now);
  };

  readonly #startOver = (): void => {
    this.#silences.clear();
  };

  #checkNode(node: Redis, silence: Silence | undefined, now: number): void {
    const stream = node.stream;
    // Nothing awaited, nothing to hear.
    if (node.status !== 'ready' || !stream || node.commandQueue.length === 0) return;
    if (silence === undefined || silence.bytesRead !== stream.bytesRead) {
      this.#silences.set(node, { bytesRead: stream.bytesRead, since: now });
      return;
    }
    if (now - silence.since < this.#silenceMs) {
      this.#silences.set(node, silence);
      return;
    }
    // The words of ioredis's own socket timeout, which this replaces.
    stream.destroy(
      new Error(`Socket timeout. Expecting data, but didn't receive any in ${this.#silenceMs}ms.`),
    );
  }
}

function nodesOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes() : [client];
}
