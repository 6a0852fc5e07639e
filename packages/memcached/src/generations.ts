import { createHash } from 'node:crypto';
import { toError } from '@resilient-store/core/backend';
import {
  counterValue,
  incrementExtras,
  Opcode,
  type Reply,
  request,
  Status,
  statusError,
  storeExtras,
} from './protocol.js';

/**
 * `clear(prefix)` without listing keys, which memcached cannot do. Each server keeps:
 *
 * - a registry (`rs:gens`): an epoch, then every prefix ever cleared, one JSON string a
 *   line, appended with memcached's atomic APPEND;
 * - a counter per cleared prefix (`rs:gen:<sha256 of the prefix>`), raised by `clear`
 *   with the atomic INCREMENT.
 *
 * A key's tag (see key-mapping.ts) is the epoch followed by the counter of every
 * registered prefix the key starts with. Clearing a prefix raises its counter (or adds
 * it to the registry), so every key under it maps to a new memcached key: the old
 * entries are unreachable and age out, other prefixes keep their tags.
 *
 * Evictions can only clear more, never resurrect: a missing counter is recreated from
 * the clock (never a value it had before), and a missing registry is recreated with a
 * new epoch, which moves every key of that server.
 *
 * Each process reads the registry and counters at most `generationCacheMs` before using
 * them: another process's `clear` is seen within that window. The process that clears
 * sees it at once.
 */

const REGISTRY_KEY = 'rs:gens';

export interface GenerationState {
  readonly epoch: string;
  readonly prefixes: readonly string[];
  /** Counter of each prefix, as the text that goes into tags. */
  readonly counters: readonly string[];
}

export interface GenerationTransport {
  /** Sends requests to this server in one write; replies in order. */
  pipeline(build: (nextOpaque: () => number) => Buffer[]): Promise<Reply[]>;
}

interface Loaded {
  readonly state: GenerationState;
  readonly at: number;
}

export class Generations {
  readonly #transport: GenerationTransport;
  readonly #cacheMs: number;
  readonly #maxPrefixes: number;
  #loaded: Loaded | undefined;
  #loading: Promise<GenerationState> | undefined;
  /** Start order of loads, so an older load never replaces a newer one's state. */
  #loadsStarted = 0;
  #appliedLoad = 0;

  constructor(transport: GenerationTransport, cacheMs: number, maxPrefixes: number) {
    this.#transport = transport;
    this.#cacheMs = cacheMs;
    this.#maxPrefixes = maxPrefixes;
  }

  /** The state read within the cache window, or undefined; refreshes ahead of time in the background. */
  fresh(now: number): GenerationState | undefined {
    const loaded = this.#loaded;
    if (loaded === undefined) return undefined;
    const age = now - loaded.at;
    if (age >= this.#cacheMs) return undefined;
    if (age >= this.#cacheMs / 2 && this.#loading === undefined) {
      // Read ahead so hot paths rarely wait; a failure here is seen by the next load.
      this.load().catch(() => {});
    }
    return loaded.state;
  }

  /** Reads the state from the server; concurrent callers share one read. */
  load(): Promise<GenerationState> {
    this.#loading ??= this.#read().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** The tag of `key`: the epoch and the counter of each registered prefix of it. */
  static tag(state: GenerationState, key: string): string {
    let tag = state.epoch;
    const { prefixes, counters } = state;
    for (let i = 0; i < prefixes.length; i++) {
      if (key.startsWith(prefixes[i] as string)) tag += `.${counters[i]}`;
    }
    return tag;
  }

  /** Makes every entry under `prefix` unreachable on this server. */
  async clear(prefix: string): Promise<void> {
    const state = this.fresh(Date.now()) ?? (await this.load());
    if (state.prefixes.includes(prefix)) {
      await this.#increment(prefix, 1n);
    } else if (state.prefixes.length >= this.#maxPrefixes) {
      // The registry is full: a new epoch clears everything on this server, prefix included.
      await this.#expect('set', this.#writeRegistry(Opcode.set, newEpoch()), [Status.ok]);
    } else {
      await this.#increment(prefix, 1n);
      await this.#register(prefix);
    }
    // This process sees its own clear at once: a fresh read, started after the write.
    this.#loading = undefined;
    await this.load();
  }

  async #read(): Promise<GenerationState> {
    const started = ++this.#loadsStarted;
    const at = Date.now();
    const known = this.#loaded?.state.prefixes ?? [];
    // The registry and the counters of the prefixes known so far, in one round trip.
    const replies = await this.#transport.pipeline((next) => [
      request(Opcode.get, REGISTRY_KEY, next()),
      ...known.map((prefix) => counterRequest(prefix, 0n, next())),
    ]);
    const [registryReply, ...counterReplies] = replies as [Reply, ...Reply[]];
    let registry = parseRegistry(registryReply);
    if (registry === undefined) registry = await this.#createRegistry();
    const counters = new Map<string, string>();
    known.forEach((prefix, i) => {
      const reply = counterReplies[i] as Reply;
      if (reply.header.status !== Status.ok) throw statusError('increment', reply);
      counters.set(prefix, counterValue(reply));
    });
    const unknown = registry.prefixes.filter((prefix) => !counters.has(prefix));
    if (unknown.length > 0) {
      const more = await this.#transport.pipeline((next) =>
        unknown.map((p) => counterRequest(p, 0n, next())),
      );
      unknown.forEach((prefix, i) => {
        const reply = more[i] as Reply;
        if (reply.header.status !== Status.ok) throw statusError('increment', reply);
        counters.set(prefix, counterValue(reply));
      });
    }
    const state: GenerationState = {
      epoch: registry.epoch,
      prefixes: registry.prefixes,
      counters: registry.prefixes.map((prefix) => counters.get(prefix) as string),
    };
    if (started > this.#appliedLoad) {
      this.#appliedLoad = started;
      this.#loaded = { state, at };
    }
    return state;
  }

  /** A registry with a new epoch; another process's, when it created one first. */
  async #createRegistry(): Promise<{ epoch: string; prefixes: string[] }> {
    const epoch = newEpoch();
    const [added] = await this.#transport.pipeline((next) => [
      this.#writeRegistryFrame(Opcode.add, epoch, next()),
    ]);
    if (added?.header.status === Status.ok) return { epoch, prefixes: [] };
    const [again] = await this.#transport.pipeline((next) => [
      request(Opcode.get, REGISTRY_KEY, next()),
    ]);
    const registry = again && parseRegistry(again);
    if (registry !== undefined) return registry;
    // Present but unreadable: replaced by a new epoch, which clears everything it covered.
    await this.#expect('set', this.#writeRegistry(Opcode.set, epoch), [Status.ok]);
    return { epoch, prefixes: [] };
  }

  async #register(prefix: string): Promise<void> {
    const line = `${JSON.stringify(prefix)}\n`;
    const [appended] = await this.#transport.pipeline((next) => [
      request(Opcode.append, REGISTRY_KEY, next(), undefined, line),
    ]);
    if (appended?.header.status === Status.ok) return;
    // No registry (evicted or never made): a new one with a new epoch clears this prefix too.
    await this.#createRegistry();
  }

  async #increment(prefix: string, amount: bigint): Promise<void> {
    const [reply] = await this.#transport.pipeline((next) => [
      counterRequest(prefix, amount, next()),
    ]);
    if (reply?.header.status !== Status.ok)
      throw reply ? statusError('increment', reply) : new Error('no reply');
  }

  #writeRegistry(opcode: number, epoch: string): (next: () => number) => Buffer[] {
    return (next) => [this.#writeRegistryFrame(opcode, epoch, next())];
  }

  #writeRegistryFrame(opcode: number, epoch: string, opaque: number): Buffer {
    return request(opcode, REGISTRY_KEY, opaque, storeExtras(0), `${epoch}\n`);
  }

  async #expect(
    operation: string,
    build: (next: () => number) => Buffer[],
    statuses: number[],
  ): Promise<void> {
    const [reply] = await this.#transport.pipeline(build);
    if (!reply || !statuses.includes(reply.header.status)) {
      throw reply ? statusError(operation, reply) : toError('no reply');
    }
  }
}

function counterRequest(prefix: string, amount: bigint, opaque: number): Buffer {
  const key = `rs:gen:${createHash('sha256').update(prefix, 'utf8').digest('base64url')}`;
  return request(Opcode.increment, key, opaque, incrementExtras(amount, freshCounter()));
}

/**
 * A value no counter or epoch had before: the clock in ms times 1000 plus a random part. Counters
 * only grow by one per clear, so they never reach a later clock value in practice.
 */
function freshCounter(): bigint {
  return BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
}

function newEpoch(): string {
  return freshCounter().toString();
}

/** The registry in a GET reply; undefined when absent or unreadable (then replaced by a new epoch). */
function parseRegistry(reply: Reply): { epoch: string; prefixes: string[] } | undefined {
  if (reply.header.status === Status.notFound) return undefined;
  if (reply.header.status !== Status.ok) throw statusError('get', reply);
  const [epoch, ...lines] = reply.val.toString('utf8').split('\n');
  if (epoch === undefined || !/^\d+$/.test(epoch)) return undefined;
  const prefixes: string[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    let prefix: unknown;
    try {
      prefix = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (typeof prefix !== 'string') return undefined;
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return { epoch, prefixes };
}
