import { createServer, type Server, type Socket } from 'node:net';

/** Binds a new listener; rejects if the address cannot be bound (e.g. the port was taken). */
export function openListener(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<Server> {
  // Half-open support lets a client's FIN reach the server while replies still flow back.
  const server = createServer({ allowHalfOpen: true }, onConnection);
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      // Errors on an already bound listener (e.g. EMFILE on accept) must not crash the process.
      server.on('error', () => undefined);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

/** Stops accepting and resolves once the listener and every connection it accepted are closed. */
export function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
  });
}

export function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('fault proxy listener has no TCP address');
  }
  return address.port;
}
