import type {
  AvailabilitySignal,
  Backend,
  BackendEntry,
  CallControl,
  StoredValue,
} from '../src/backend.js';

/**
 * A scripted in-memory backend for the store's unit tests (never for backend
 * tests): each call obeys `mode`, and the connection signal can be toggled.
 * With `abortable`, `get` and `set` offer the store an abort (see `CallControl`)
 * that rejects a hung call; `abortThrows` makes that abort faulty.
 */
export type FakeMode = 'ok' | 'fail' | 'hang';

export class FakeBackend implements Backend {
  readonly capabilities;
  readonly data = new Map<string, StoredValue>();
  mode: FakeMode = 'ok';
  calls = 0;
  pings = 0;
  closed = 0;
  /** Reasons the store gave when it aborted a call, in order. */
  readonly aborts: Error[] = [];
  abortThrows = false;
  /** Pending hung calls, released by `releaseHung()`. */
  private hung: Array<() => void> = [];
  private connected = true;
  private listeners = new Set<(available: boolean, cause?: Error) => void>();
  readonly availability: AvailabilitySignal | undefined;
  private readonly abortable: boolean;

  constructor(
    readonly name: string,
    options: {
      signal?: boolean;
      maxKeyBytes?: number;
      maxValueBytes?: number;
      connected?: boolean;
      abortable?: boolean;
    } = {},
  ) {
    this.abortable = options.abortable ?? false;
    this.capabilities = {
      shared: false,
      persistent: false,
      maxKeyBytes: options.maxKeyBytes ?? 1024,
      maxValueBytes: options.maxValueBytes ?? 1024 * 1024,
    };
    this.connected = options.connected ?? true;
    this.availability = options.signal
      ? {
          isAvailable: () => this.connected,
          subscribe: (listener) => {
            this.listeners.add(listener);
            return () => this.listeners.delete(listener);
          },
        }
      : undefined;
  }

  setConnected(connected: boolean, cause?: Error): void {
    this.connected = connected;
    for (const l of this.listeners) l(connected, cause);
  }

  /** Let every hung call finish (with `value` for reads). */
  releaseHung(): void {
    for (const release of this.hung) release();
    this.hung = [];
  }

  private act<T>(answer: () => T, control?: CallControl): Promise<T> {
    this.calls++;
    const offerAbort = this.abortable && control !== undefined;
    let settle: (reason: Error) => void = () => {};
    if (offerAbort) {
      control.abort = (reason) => {
        this.aborts.push(reason);
        if (this.abortThrows) throw new Error(`${this.name}'s abort is broken`);
        settle(reason);
      };
    }
    if (this.mode === 'fail') return Promise.reject(new Error(`${this.name} is broken`));
    if (this.mode === 'hang') {
      return new Promise<T>((resolve, reject) => {
        settle = reject;
        this.hung.push(() => resolve(answer()));
      });
    }
    return Promise.resolve(answer());
  }

  get(key: string, control?: CallControl) {
    return this.act(() => this.data.get(key), control);
  }
  getMany(keys: readonly string[]) {
    return this.act(() => keys.map((k) => this.data.get(k)));
  }
  set(key: string, value: StoredValue, _ttlMs?: number, control?: CallControl) {
    return this.act(() => {
      this.data.set(key, value);
    }, control);
  }
  setMany(entries: readonly BackendEntry[]) {
    return this.act(() => {
      for (const e of entries) this.data.set(e.key, e.value);
    });
  }
  delete(key: string) {
    return this.act(() => this.data.delete(key));
  }
  deleteMany(keys: readonly string[]) {
    return this.act(() => keys.filter((k) => this.data.delete(k)).length);
  }
  clear(prefix: string) {
    return this.act(() => {
      for (const k of [...this.data.keys()]) if (k.startsWith(prefix)) this.data.delete(k);
    });
  }
  ping() {
    this.pings++;
    return this.act(() => undefined);
  }
  async close() {
    this.closed++;
  }
}

/** A logger that records every line, for asserting "exactly one line". */
export function recordingLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const at =
    (level: string) =>
    (objOrMsg: object | string, msg?: string): void => {
      lines.push({ level, msg: typeof objOrMsg === 'string' ? objOrMsg : (msg ?? '') });
    };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}
