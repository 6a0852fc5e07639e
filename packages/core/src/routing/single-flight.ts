/**
 * Coalesces concurrent loads of one key: while a load is in flight, later
 * callers for the same key wait for it instead of starting their own. The entry
 * is dropped when the load settles, so an error is not cached.
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) return existing as Promise<T>;
    const flight = load().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, flight);
    return flight;
  }
}
