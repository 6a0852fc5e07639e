import type { AvailabilitySignal } from '@resilient-store/core/backend';

type Listener = (available: boolean, cause?: Error) => void;

/**
 * The backend is available while every one of its servers is connected. With one server
 * down its keys cannot be served, and memjs's failover (sending them to another server)
 * would serve values that server never had and strand them when the first returns; so
 * the whole backend steps aside until every server is back.
 */
export class ServersAvailability implements AvailabilitySignal {
  readonly #listeners = new Set<Listener>();
  readonly #up: boolean[];
  #available = false;
  #closed = false;

  constructor(servers: number) {
    this.#up = new Array<boolean>(servers).fill(false);
  }

  isAvailable(): boolean {
    return this.#available;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records one server's change; notifies listeners when the backend's state changes. */
  update(server: number, up: boolean, cause: Error | undefined): void {
    if (this.#closed) return;
    this.#up[server] = up;
    this.#set(this.#up.every(Boolean), cause);
  }

  close(): void {
    this.#set(false, new Error('closed'));
    this.#closed = true;
    this.#listeners.clear();
  }

  #set(available: boolean, cause: Error | undefined): void {
    if (available === this.#available) return;
    this.#available = available;
    for (const listener of [...this.#listeners]) {
      if (available) listener(true);
      else listener(false, cause);
    }
  }
}
