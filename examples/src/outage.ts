/**
 * The fault the demo injects: SIGKILL the private redis-server (no goodbye, open
 * connections just die), and later start it again on the same port and data directory.
 */
import type { RedisServer } from '@resilient-store/testkit';
import { colour, elapsedS, say } from './output.js';

export interface OutageTimes {
  killedAtS: number | undefined;
  restartAtS: number | undefined;
  /** When the restarted server accepted connections again. */
  backAtS: number | undefined;
}

export class RedisOutage {
  readonly times: OutageTimes = { killedAtS: undefined, restartAtS: undefined, backAtS: undefined };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly server: RedisServer) {}

  /** Kills Redis `killInS` seconds from now and restarts it `restartInS` seconds from now. */
  schedule(killInS: number, restartInS: number): void {
    this.at(killInS, () => this.kill());
    this.at(restartInS, () => this.restart());
  }

  /** Cancels what has not started yet and waits for what has. */
  async settle(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    await Promise.all([...this.pending]);
  }

  private at(seconds: number, action: () => Promise<void>): void {
    this.timers.push(
      setTimeout(() => {
        const running = action().catch((error: unknown) => {
          say('demo', `fault injection failed: ${String(error)}`, colour.red);
        });
        this.pending.add(running);
        void running.then(() => this.pending.delete(running));
      }, seconds * 1000),
    );
  }

  private async kill(): Promise<void> {
    say('demo', `killing redis-server (SIGKILL, pid ${this.server.pid})`, colour.bold);
    this.times.killedAtS = elapsedS();
    await this.server.kill();
  }

  private async restart(): Promise<void> {
    say('demo', `restarting redis-server on port ${this.server.port}`, colour.bold);
    this.times.restartAtS = elapsedS();
    await this.server.restart();
    this.times.backAtS = elapsedS();
    say('demo', `redis-server accepts connections again (pid ${this.server.pid})`, colour.bold);
  }
}
