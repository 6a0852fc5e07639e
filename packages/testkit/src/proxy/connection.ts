import { connect, type Socket } from 'node:net';
import type { FaultState } from './fault-state.js';
import { Link } from './link.js';
import { isConnectionReset, resetSocket } from './sockets.js';
import type { ProxyTarget } from './types.js';

/**
 * A client connection accepted by the proxy, paired with its own connection to the target
 * and one `Link` per direction. It is finished once both sockets have closed.
 */
export class ProxiedConnection {
  /** Resolves once both sockets have closed. */
  readonly finished: Promise<void>;
  private readonly client: Socket;
  private readonly upstream: Socket;
  private readonly links: readonly [Link, Link];
  private openSockets = 2;

  constructor(
    client: Socket,
    target: ProxyTarget,
    state: FaultState,
    onFinished: (connection: ProxiedConnection) => void,
  ) {
    this.client = client;
    let markFinished = () => {};
    this.finished = new Promise((resolve) => {
      markFinished = resolve;
    });
    // Half-open support lets a client's FIN reach the server while replies still flow back.
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    // Nagle would add its own delays on top of the injected ones and blur measurements.
    client.setNoDelay(true);
    this.upstream.setNoDelay(true);
    for (const socket of [client, this.upstream]) {
      socket.on('error', (error) => this.onSocketError(socket, error));
      socket.once('close', () => {
        this.openSockets -= 1;
        if (this.openSockets === 0) {
          this.stopLinks();
          onFinished(this);
          markFinished();
        }
      });
    }
    const cut = () => this.cut();
    this.links = [
      new Link(client, this.upstream, state, cut),
      new Link(this.upstream, client, state, cut),
    ];
  }

  setBudget(bytes: number | undefined): void {
    for (const link of this.links) link.setBudget(bytes);
  }

  resume(): void {
    for (const link of this.links) link.resume();
  }

  /** Closes both sides at once, dropping anything still queued. */
  destroy(): void {
    this.stopLinks();
    this.client.destroy();
    this.upstream.destroy();
  }

  /** Sends the client a TCP RST and closes the server side. */
  reset(): void {
    this.stopLinks();
    resetSocket(this.client);
    this.upstream.destroy();
  }

  /** limitData reached: flush what was already written, then close both sides. */
  private cut(): void {
    this.stopLinks();
    this.client.destroySoon();
    this.upstream.destroySoon();
  }

  /** One side failed: the other side sees the same kind of failure (reset or close). */
  private onSocketError(failed: Socket, error: Error): void {
    this.stopLinks();
    const other = failed === this.client ? this.upstream : this.client;
    if (isConnectionReset(error)) {
      resetSocket(other);
    } else {
      other.destroy();
    }
  }

  private stopLinks(): void {
    for (const link of this.links) link.stop();
  }
}
