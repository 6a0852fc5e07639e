import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** TLS for a probe: the server's certificate (or its CA), as PEM. */
export interface ProbeTls {
  readonly ca: string;
}

export interface ExchangeOptions {
  timeoutMs: number;
  /** Speak TLS, trusting only `ca`. */
  tls?: ProbeTls | undefined;
}

/** A socket ready for the request once its event `ready` fires: `connect`, or the TLS handshake. */
function open(host: string, port: number, tls: ProbeTls | undefined): [Socket, string] {
  if (tls === undefined) return [connect({ host, port }), 'connect'];
  // SNI takes host names only; an address is checked against the certificate's IP names.
  const servername = isIP(host) === 0 ? host : undefined;
  return [connectTls({ host, port, ca: tls.ca, servername }), 'secureConnect'];
}

/**
 * Opens a TCP (or TLS) connection, writes `request`, and feeds everything received to `parse` until it
 * returns a result; always closes the socket and clears its timer. Rejects on connection
 * errors, on the server closing first, and after `timeoutMs` (a paused server never answers).
 */
export function tcpExchange<T>(
  host: string,
  port: number,
  request: Buffer,
  parse: (received: Buffer) => T | undefined,
  opts: ExchangeOptions,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const [socket, ready] = open(host, port, opts.tls);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value as T);
    };
    const timer = setTimeout(
      () => finish(new Error(`no answer from ${host}:${port} within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    socket.once(ready, () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      let result: T | undefined;
      try {
        result = parse(received);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (result !== undefined) finish(undefined, result);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () =>
      finish(new Error(`${host}:${port} closed the connection before answering`)),
    );
  });
}
