/**
 * The demo's script and its knobs. The defaults tell the whole story in about 40 s:
 * ten seconds of normal service, Redis killed, ten seconds of outage, Redis back, and
 * fifteen seconds to show that the store went back to it.
 */

export interface DemoSettings {
  /** HTTP requests (conversation turns) started per second. */
  readonly requestsPerSecond: number;
  /** When Redis is killed, seconds after the load started. */
  readonly killAtS: number;
  /** When Redis is started again. */
  readonly restartAtS: number;
  /** When the load stops. */
  readonly endAtS: number;
  /** Run without Redis even when a redis-server binary exists. */
  readonly noRedis: boolean;
  /** Look for redis-server only in this directory (to try the no-binary path for real). */
  readonly redisBinDir: string | undefined;
  /** The port the service listens on; when taken, any free port. */
  readonly port: number;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function readSettings(): DemoSettings {
  const killAtS = seconds('DEMO_KILL_AT', 10);
  const restartAtS = killAtS + seconds('DEMO_OUTAGE_SECONDS', 10);
  return {
    requestsPerSecond: seconds('DEMO_RATE', 100),
    killAtS,
    restartAtS,
    endAtS: restartAtS + seconds('DEMO_AFTER_SECONDS', 15),
    noRedis: process.env.DEMO_NO_REDIS === '1',
    redisBinDir: process.env.DEMO_REDIS_BIN_DIR || undefined,
    port: seconds('DEMO_PORT', 3000),
  };
}

/** Without Redis there is no outage to show; a short steady run makes the point. */
export const MEMORY_ONLY_SECONDS = 12;
