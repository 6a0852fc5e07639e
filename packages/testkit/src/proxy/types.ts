/** Where the proxy forwards the connections it accepts. */
export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  /** The server every accepted connection is forwarded to. */
  target: ProxyTarget;
  /** Interface to listen on. Default `127.0.0.1`. */
  listenHost?: string;
  /** Port to listen on. Default `0`: an ephemeral port, kept for the proxy's lifetime. */
  listenPort?: number;
}

/**
 * The proxy is always in exactly one mode; setting a mode replaces the previous one.
 *
 * - `up`: connections are accepted and forwarded (through any active toxics).
 * - `down`: the listener is closed, so new connections are refused, and open ones are closed.
 * - `blackhole`: connections are accepted and kept open, but every byte in either direction
 *   is discarded (not delayed) and closes are held back, so nothing is ever answered.
 * - `reset`: open and new client connections are answered with a TCP RST.
 */
export type ProxyMode = 'up' | 'down' | 'blackhole' | 'reset';

export type ToxicName = 'latency' | 'bandwidth' | 'slicer' | 'limitData' | 'slowClose';

/** The toxics currently active. Toxics combine with each other and apply in every mode. */
export interface ActiveToxics {
  latency?: { ms: number; jitterMs: number };
  bandwidth?: { bytesPerSecond: number };
  slicer?: { maxChunkBytes: number; delayMs: number };
  limitData?: { bytes: number };
  slowClose?: { ms: number };
}

/**
 * An in-process TCP proxy on loopback that injects faults between a client and a server.
 *
 * Toxics (`latency`, `bandwidth`, `slicer`, `limitData`, `slowClose`) apply to both directions
 * of every connection, open or new, from the moment they are set; setting one again replaces
 * its previous setting, and different toxics combine (for example latency + slicer delays
 * every slice). Modes (`down`, `blackhole`, `resetPeer`, `up`) are exclusive states.
 */
export interface FaultProxy {
  /** Address clients connect to. */
  readonly host: string;
  readonly port: number;
  readonly target: ProxyTarget;
  readonly mode: ProxyMode;
  /** Proxied connections currently open (those reset on arrival are never counted). */
  readonly connectionCount: number;
  /** A copy of the active toxics. */
  readonly toxics: ActiveToxics;

  /** `scheme://host:port` of the proxy, e.g. `redis://127.0.0.1:41234`. Default scheme `redis`. */
  url(scheme?: string): string;

  /**
   * Delays every chunk in both directions by `ms ± jitterMs` (uniform, never below 0),
   * counted from its arrival. Delivery order is preserved: a chunk never overtakes an
   * earlier one, so with jitter a chunk may wait longer than its own draw.
   */
  latency(ms: number, jitterMs?: number): void;
  /** Caps the throughput of each direction of each connection at `bytesPerSecond`. */
  bandwidth(bytesPerSecond: number): void;
  /** Splits data into writes of at most `maxChunkBytes`, pausing `delayMs` between writes. */
  slicer(maxChunkBytes: number, delayMs?: number): void;
  /**
   * Lets `bytes` more bytes through each direction of each connection (counted from now for
   * open connections, from their start for new ones); once a direction reaches it, that many
   * bytes are delivered and then the connection is closed on both sides.
   */
  limitData(bytes: number): void;
  /** Delays the propagation of a peer's close (FIN) to the other peer by `ms`. */
  slowClose(ms: number): void;
  /** Removes one toxic. Removing a toxic that is not active does nothing. */
  removeToxic(name: ToxicName): void;

  /** Closes the listener (new connections refused) and closes every open connection. */
  down(): Promise<void>;
  /** Forwards normally again, listening on the same port if the proxy was down. */
  up(): Promise<void>;
  /** Accepts and keeps connections but forwards and answers nothing, open ones included. */
  blackhole(): Promise<void>;
  /** Resets (TCP RST) every open client connection and every new one. */
  resetPeer(): Promise<void>;
  /** Removes every toxic and comes back `up` on the same port. */
  heal(): Promise<void>;
  /**
   * Destroys every connection and timer and resolves once the listener is closed.
   * Idempotent; any later mode change rejects.
   */
  close(): Promise<void>;
}
