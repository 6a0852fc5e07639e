import { createServer } from 'node:net';

/** Loopback address every local test server listens on; never a public interface. */
export const LOOPBACK = '127.0.0.1';

/**
 * A TCP port that was free on the loopback interface a moment ago. Another process can still
 * take it before the server binds it, so callers retry a start that fails with a port clash.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
