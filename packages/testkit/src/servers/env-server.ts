import { FaultInjectionUnsupportedError } from './errors.js';
import type { ServerControl } from './handle.js';

/** Control for a server the user brought through an RS_TEST_*_URL variable: never touched. */
export function envControl(server: string, envVar: string): ServerControl {
  const refuse = (operation: string) => async (): Promise<void> => {
    throw new FaultInjectionUnsupportedError(
      server,
      operation,
      `it comes from ${envVar}; fault tests need a server the testkit started itself ` +
        `(unset ${envVar} or set RS_TEST_SERVERS=local)`,
    );
  };
  return {
    pid: undefined,
    // Someone else owns this server; stopping our handle must leave it running.
    stop: async () => undefined,
    kill: refuse('kill'),
    pause: refuse('pause'),
    resume: refuse('resume'),
    restart: refuse('restart'),
    logTail: () => '',
  };
}

/** host and port of `host:port`, `scheme://[user[:pass]@]host:port[/...]`. */
export function hostPortOf(value: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : defaultPort,
  };
}

/** user name and password embedded in a URL, decoded; undefined when absent. */
export function credentialsOf(value: string): { username?: string; password?: string } {
  try {
    const url = new URL(value);
    return {
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    };
  } catch {
    return {};
  }
}
