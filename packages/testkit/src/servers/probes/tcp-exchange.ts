import { connect } from 'node:net';

export interface ExchangeOptions {
  timeoutMs: number;
}

/**
 * Opens a TCP connection, writes `request`, and feeds everything received to `parse` until it
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
    const socket = connect({ host, port });
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
    socket.once('connect', () => socket.write(request));
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
