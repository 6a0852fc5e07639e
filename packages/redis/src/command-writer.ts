import { type CallControl, toError } from '@resilient-store/core';
import { Cluster, Command, type Redis } from 'ioredis';
import type { RedisClient } from './options.js';

/**
 * Replies as the parser gives them: GET's value as a Buffer (the store decodes it),
 * UNLINK's count as a number, SET's "OK" undecoded (nobody reads it).
 */
const RAW_REPLY = { replyEncoding: null } as const;

type Socket = Redis['stream'];

/**
 * Sends the commands on every request's path (GET, SET, UNLINK) as ioredis
 * `Command`s of the backend's own, through ioredis's public `sendCommand` (which
 * routes them by slot on a cluster), for two reasons:
 *
 * - The store can give up on one at its deadline through `command.reject` — what
 *   ioredis's own command timeout does — so it needs no promise of its own around
 *   the command's (see `CallControl`). A command given up on before it was written
 *   is not written at all.
 * - Commands issued together reach each socket in one write. ioredis writes every
 *   command on its own without auto-pipelining, and with it builds a pipeline object,
 *   an extra promise and a callback per command. Here commands are held and written
 *   together, in one corked write per socket: without auto-pipelining at the end of
 *   the current tick (as Node's documentation suggests for batching writes; nothing
 *   waits for another turn of the event loop), with it at the end of the turn, as
 *   ioredis does — but only while replies are awaited. A command sent to an idle
 *   connection (nothing queued, no reply awaited) is written at the end of the tick in
 *   either mode: no reply can come in this turn to be batched with it, so waiting for
 *   the next turn would only delay a lone request. The end of the tick still comes
 *   after every promise continuation queued so far, so the commands that one burst of
 *   replies sets off are still written together.
 *
 * Commands are written in the order they were sent. Other commands (MGET, pipelined
 * SETs, SCAN) go through ioredis's own methods; only concurrent calls can be
 * reordered against those, and concurrent calls have no order to keep.
 */
export class CommandWriter {
  readonly #client: RedisClient;
  /** Defers a flush while replies are awaited: to the end of the tick, or of the turn with auto-pipelining. */
  readonly #schedule: (flush: () => void) => void;
  /** Commands not written yet. */
  #queue: Command[] = [];

  constructor(client: RedisClient) {
    this.#client = client;
    // setImmediate as ioredis's auto-pipelining does: after the I/O callbacks already
    // queued, so a burst of replies that each issue a command ends up in one write.
    this.#schedule = client.options.enableAutoPipelining === true ? setImmediate : process.nextTick;
  }

  get(key: string, control: CallControl | undefined): Promise<Buffer | null> {
    return this.#send(new Command('get', [key], this.#options()), control);
  }

  set(
    key: string,
    value: Buffer | string,
    ttlMs: number | undefined,
    control: CallControl | undefined,
  ): Promise<unknown> {
    const args = ttlMs === undefined ? [key, value] : [key, value, 'PX', ttlMs];
    return this.#send(new Command('set', args, this.#options()), control);
  }

  unlink(key: string): Promise<number> {
    return this.#send(new Command('unlink', [key], this.#options()), undefined);
  }

  #options(): { replyEncoding: null; errorStack?: Error } {
    // Honour an adopted client's wish for call-site stacks, as its own methods would.
    return this.#client.options.showFriendlyErrorStack
      ? { ...RAW_REPLY, errorStack: new Error() }
      : RAW_REPLY;
  }

  #send<T>(command: Command, control: CallControl | undefined): Promise<T> {
    // Taken before sending: a cluster wraps `reject` to retry redirections, and a
    // command given up on must settle now, not be retried.
    if (control) control.abort = command.reject;
    if (this.#queue.push(command) === 1) {
      if (this.#idle()) process.nextTick(this.#flush);
      else this.#schedule(this.#flush);
    }
    return command.promise as Promise<T>;
  }

  /** No reply awaited on any connection (a cluster's every node): nothing to batch with. */
  #idle(): boolean {
    const client = this.#client;
    if (!(client instanceof Cluster)) return client.commandQueue.length === 0;
    for (const node of client.nodes()) if (node.commandQueue.length > 0) return false;
    return true;
  }

  readonly #flush = (): void => {
    const queue = this.#queue;
    this.#queue = [];
    // A lone command takes the socket's plain write; corking buys nothing for one.
    const corked = queue.length > 1 ? corkAll(this.#client) : NONE;
    try {
      for (const command of queue) if (!command.isSettled) this.#write(command);
    } finally {
      for (const socket of corked) socket.uncork();
    }
  };

  #write(command: Command): void {
    try {
      this.#client.sendCommand(command);
    } catch (error) {
      // Runs from a deferred flush: a throw there would crash the process.
      command.reject(toError(error));
    }
  }
}

const NONE: readonly Socket[] = [];

/** Corks the sockets of every connection that can take a command now; returns them. */
function corkAll(client: RedisClient): Socket[] {
  const nodes = client instanceof Cluster ? client.nodes() : [client];
  const corked: Socket[] = [];
  for (const node of nodes) {
    // Not ready: sendCommand rejects at once (no offline queue) and writes nothing.
    if (node.status !== 'ready' || !node.stream) continue;
    node.stream.cork();
    corked.push(node.stream);
  }
  return corked;
}
