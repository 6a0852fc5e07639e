/** First reconnection delay; doubles on every failed attempt up to the cap. */
const BASE_DELAY_MS = 50;

/**
 * Delay before reconnection attempt `attempt` (1-based): exponential, capped at `capMs`,
 * with "equal jitter" (half fixed, half random). The jitter keeps a fleet of instances
 * that lost Redis at the same moment from reconnecting in lockstep; the fixed half keeps
 * a delay from collapsing to ~0 and hammering a server that is still down.
 */
export function reconnectDelay(attempt: number, capMs: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(capMs, BASE_DELAY_MS * 2 ** exponent);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
