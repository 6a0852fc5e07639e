import type { Socket } from 'node:net';

/** Peers in a fault scenario close, reset and vanish; their errors are expected, never fatal. */
export function ignoreErrors(socket: Socket): void {
  socket.on('error', () => undefined);
}

export function isConnectionReset(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ECONNRESET';
}

/** Aborts a connection with a TCP RST rather than an orderly FIN. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // Not a TCP handle (or already detached): closing it is the nearest we can get.
    socket.destroy();
  }
}
