import type { AvailabilitySignal } from '@resilient-store/core/backend';
import { toError } from '@resilient-store/core/backend';

type Listener = (available: boolean, cause?: Error) => void;

/**
 * The backend's availability signal: available once PostgreSQL answered and the table
 * is there, unavailable from the first failure that says no query can succeed (refused
 * or cut connections, failed authentication, a dropped table) until a probe succeeds.
 */
export class Availability implements AvailabilitySignal {
  readonly #listeners = new Set<Listener>();
  #available = false;
  #cause: Error | undefined;

  isAvailable(): boolean {
    return this.#available;
  }

  /** Why the backend is unavailable, while it is. */
  cause(): Error | undefined {
    return this.#available ? undefined : this.#cause;
  }

  subscribe(listener: Listener): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe independently.
    const entry: Listener = (available, cause) => listener(available, cause);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  up(): void {
    this.#cause = undefined;
    this.#set(true, undefined);
  }

  down(cause: Error): void {
    this.#cause = cause;
    this.#set(false, cause);
  }

  /** Final transition; no listener is called afterwards. */
  close(cause: Error): void {
    this.down(cause);
    this.#listeners.clear();
  }

  #set(available: boolean, cause: Error | undefined): void {
    if (this.#available === available) return;
    this.#available = available;
    for (const listener of [...this.#listeners]) {
      try {
        if (available) listener(true);
        else listener(false, cause);
      } catch (error) {
        // A faulty listener must not starve the others nor break the backend.
        process.emitWarning(toError(error));
      }
    }
  }
}
