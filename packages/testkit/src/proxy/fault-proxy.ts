import type { Server, Socket } from 'node:net';
import { ProxiedConnection } from './connection.js';
import { FaultState } from './fault-state.js';
import { closeListener, listeningPort, openListener } from './listener.js';
import { ignoreErrors, resetSocket } from './sockets.js';
import type {
  ActiveToxics,
  FaultProxy,
  FaultProxyOptions,
  ProxyMode,
  ProxyTarget,
  ToxicName,
} from './types.js';

/**
 * Starts a fault-injecting TCP proxy in front of `options.target`, listening and `up`.
 *
 * @example
 * const proxy = await startFaultProxy({ target: { host: redis.host, port: redis.port } });
 * proxy.latency(100);
 * await proxy.blackhole();
 * await proxy.heal();
 * await proxy.close();
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new TcpFaultProxy(options);
  await proxy.start(options.listenPort ?? 0);
  return proxy;
}

class TcpFaultProxy implements FaultProxy {
  readonly host: string;
  readonly target: ProxyTarget;
  private boundPort = 0;
  private readonly state = new FaultState();
  private readonly connections = new Set<ProxiedConnection>();
  private server: Server | undefined;
  /** Mode changes run one after another so listener opens and closes never interleave. */
  private transitions: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: FaultProxyOptions) {
    this.host = options.listenHost ?? '127.0.0.1';
    this.target = { host: options.target.host, port: options.target.port };
  }

  async start(port: number): Promise<void> {
    this.boundPort = port;
    await this.listen();
  }

  get port(): number {
    return this.boundPort;
  }

  get mode(): ProxyMode {
    return this.state.mode;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get toxics(): ActiveToxics {
    return this.state.toxics;
  }

  url(scheme = 'redis'): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${scheme}://${host}:${this.port}`;
  }

  latency(ms: number, jitterMs = 0): void {
    this.state.setLatency(ms, jitterMs);
  }

  bandwidth(bytesPerSecond: number): void {
    this.state.setBandwidth(bytesPerSecond);
  }

  slicer(maxChunkBytes: number, delayMs = 0): void {
    this.state.setSlicer(maxChunkBytes, delayMs);
  }

  limitData(bytes: number): void {
    this.state.setLimitData(bytes);
    for (const connection of this.connections) connection.setBudget(bytes);
  }

  slowClose(ms: number): void {
    this.state.setSlowClose(ms);
  }

  removeToxic(name: ToxicName): void {
    this.state.remove(name);
    if (name === 'limitData') {
      for (const connection of this.connections) connection.setBudget(undefined);
    }
  }

  down(): Promise<void> {
    return this.enterMode('down');
  }

  up(): Promise<void> {
    return this.enterMode('up');
  }

  blackhole(): Promise<void> {
    return this.enterMode('blackhole');
  }

  resetPeer(): Promise<void> {
    return this.enterMode('reset');
  }

  heal(): Promise<void> {
    return this.serialize(async () => {
      this.state.removeAll();
      for (const connection of this.connections) connection.setBudget(undefined);
      await this.applyMode('up');
    });
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      this.closing = this.transitions.then(() => {
        this.state.mode = 'down';
        return this.shutdown();
      });
    }
    return this.closing;
  }

  private enterMode(mode: ProxyMode): Promise<void> {
    return this.serialize(() => this.applyMode(mode));
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('fault proxy is closed'));
    const run = this.transitions.then(step);
    this.transitions = run.catch(() => undefined);
    return run;
  }

  private async applyMode(mode: ProxyMode): Promise<void> {
    const previous = this.state.mode;
    this.state.mode = mode;
    if (mode === 'down') {
      await this.shutdown();
      return;
    }
    if (this.server === undefined) {
      try {
        await this.listen();
      } catch (error) {
        // Still not listening (e.g. the port was taken meanwhile): stay in the mode we were in.
        this.state.mode = previous;
        throw error;
      }
    }
    for (const connection of this.connections) {
      if (mode === 'reset') connection.reset();
      else connection.resume();
    }
  }

  /** Closes every connection and the listener; resolves once all of their sockets are closed. */
  private async shutdown(): Promise<void> {
    const connections = [...this.connections];
    for (const connection of connections) connection.destroy();
    const server = this.server;
    this.server = undefined;
    await Promise.all([
      ...connections.map((connection) => connection.finished),
      server === undefined ? undefined : closeListener(server),
    ]);
  }

  private async listen(): Promise<void> {
    this.server = await openListener(this.host, this.boundPort, (socket) => this.accept(socket));
    this.boundPort = listeningPort(this.server);
  }

  private accept(socket: Socket): void {
    const mode = this.state.mode;
    if (mode === 'down' || mode === 'reset') {
      // 'down': accepted in the instant before the listener closed.
      ignoreErrors(socket);
      if (mode === 'reset') resetSocket(socket);
      else socket.destroy();
      return;
    }
    const connection = new ProxiedConnection(socket, this.target, this.state, (finished) =>
      this.connections.delete(finished),
    );
    this.connections.add(connection);
  }
}
