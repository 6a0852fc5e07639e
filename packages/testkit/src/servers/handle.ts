import type { ServerSource } from './source.js';

/** What every test server offers, however it was obtained. */
export interface ServerHandle {
  readonly host: string;
  readonly port: number;
  /** Connection URL for the server's client library (format documented per server). */
  readonly url: string;
  readonly source: ServerSource;
  /** PID of the server process while a local server runs, else undefined. */
  readonly pid: number | undefined;
  /** The local server's private temp directory (data, log), removed by stop(); else undefined. */
  readonly dir: string | undefined;
  /** Stops the server and removes its files; a no-op for a server from the environment. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL the server. Rejects with FaultInjectionUnsupportedError for a server from the environment. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** Starts it again on the same port (and data directory); resolves when it accepts connections. */
  restart(): Promise<void>;
  /** Last lines of the server's log, '' when there is none. */
  logTail(lines?: number): string;
}

/** The part of a handle that differs by source. */
export type ServerControl = Pick<
  ServerHandle,
  'pid' | 'stop' | 'kill' | 'pause' | 'resume' | 'restart' | 'logTail'
> & { readonly dir?: string | undefined };

/** A handle whose fault methods delegate to `control`; `extra`'s getters stay live getters. */
export function makeHandle<Extra extends object>(
  base: { host: string; port: number; url: string; source: ServerSource },
  control: ServerControl,
  extra: Extra,
): ServerHandle & Extra {
  const handle: ServerHandle = {
    ...base,
    get pid() {
      return control.pid;
    },
    dir: control.dir,
    stop: () => control.stop(),
    kill: () => control.kill(),
    pause: () => control.pause(),
    resume: () => control.resume(),
    restart: () => control.restart(),
    logTail: (lines?: number) => control.logTail(lines),
  };
  return Object.defineProperties(handle, Object.getOwnPropertyDescriptors(extra)) as ServerHandle &
    Extra;
}
