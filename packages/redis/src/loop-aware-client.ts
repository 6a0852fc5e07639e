import { BackendTimeoutError, loopAwareTimeout } from '@resilient-store/core/backend';
import {
  Cluster,
  type ClusterNode,
  type ClusterOptions,
  type Command,
  Redis,
  type RedisOptions,
} from 'ioredis';

/**
 * ioredis clients whose command timeout tells a server that did not answer from a
 * process that could not listen.
 *
 * ioredis arms a plain `setTimeout` per command (`commandTimeout`). After the event
 * loop was blocked (a GC pause, a long synchronous parse in the application) that
 * timer runs before the poll phase that would read the reply already waiting in the
 * socket, and rejects a command Redis answered in time. These clients arm the
 * command's timer themselves, before ioredis would, with the kit's loop-aware timeout
 * (`loopAwareTimeout`): it lets the waiting replies be read first, and a timeout that
 * still happens after a blocked loop rejects with a `BackendTimeoutError` marked
 * `loopStalled`, which the store does not count against Redis.
 *
 * The same `commandTimeout` stays in the client's options, so an adopted client or a
 * benchmark copying them sees it; ioredis arms its own timer only for a command
 * that has none (`Command#setTimeout`), so the command never gets two.
 */

/** The field `Command#setTimeout` and ioredis's timer clean-up use. */
interface TimedCommand {
  _commandTimeoutTimer?: NodeJS.Timeout;
}

/**
 * A command naming many keys (the MGET or UNLINK of a batch) is that many keys' work for
 * Redis and for the reply parser: its deadline is one more command timeout per this many
 * arguments. Without it a large `getMany`, given a generous budget by the store, was
 * rejected here after the plain command timeout.
 */
export const ARGUMENTS_PER_COMMAND_TIMEOUT = 1_000;

/** The reply deadline of `command`, whose one-key deadline is `ms`. */
export function commandDeadlineMs(command: Pick<Command, 'args'>, ms: number): number {
  return ms * (1 + Math.floor(command.args.length / ARGUMENTS_PER_COMMAND_TIMEOUT));
}

/** Arms `command`'s reply deadline with a loop-aware timer, unless it has one. */
export function armCommandTimeout(command: Command, oneKeyMs: number, backend: string): void {
  const timed = command as unknown as TimedCommand;
  if (timed._commandTimeoutTimer !== undefined) return;
  const ms = commandDeadlineMs(command, oneKeyMs);
  // ioredis clears this timer when the command settles (Command#_clearTimers).
  timed._commandTimeoutTimer = loopAwareTimeout((stalled) => {
    if (command.isSettled) return;
    // The message of ioredis's own timeout when Redis was given its time.
    command.reject(
      stalled
        ? new BackendTimeoutError(backend, ms, { loopStalled: true })
        : new Error('Command timed out'),
    );
  }, ms);
}

type WriteableStream = Parameters<Redis['sendCommand']>[1];
/** The backend reads replies in ioredis's default (legacy, RESP2-shaped) mapping. */
type LegacyRedisOptions = RedisOptions & { replyMapping?: 'legacy' };
type LegacyClusterOptions = ClusterOptions & {
  redisOptions?: ClusterOptions['redisOptions'] & { replyMapping?: 'legacy' };
};

/** A single-node (or Sentinel-managed) client with loop-aware command timeouts. */
export class LoopAwareRedis extends Redis {
  /** Unset while the base constructor runs, which sends nothing itself (it connects later). */
  private loopTimeout: { ms: number; backend: string } | undefined;

  constructor(
    url: string | undefined,
    options: RedisOptions,
    timeout: { ms: number; backend: string },
  ) {
    const legacy = options as LegacyRedisOptions;
    if (url === undefined) super(legacy);
    else super(url, legacy);
    this.loopTimeout = timeout;
  }

  override sendCommand(command: Command, stream?: WriteableStream): unknown {
    const timeout = this.loopTimeout;
    if (timeout !== undefined) armCommandTimeout(command, timeout.ms, timeout.backend);
    return super.sendCommand(command, stream);
  }
}

/** A cluster client with loop-aware command timeouts (armed before ioredis routes the command). */
export class LoopAwareCluster extends Cluster {
  private loopTimeout: { ms: number; backend: string } | undefined;

  constructor(
    nodes: ClusterNode[],
    options: ClusterOptions,
    timeout: { ms: number; backend: string },
  ) {
    super(nodes, options as LegacyClusterOptions);
    this.loopTimeout = timeout;
  }

  override sendCommand(command: Command, stream?: WriteableStream, node?: unknown): unknown {
    const timeout = this.loopTimeout;
    if (timeout !== undefined) armCommandTimeout(command, timeout.ms, timeout.backend);
    return super.sendCommand(command, stream, node);
  }
}
