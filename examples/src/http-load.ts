/**
 * A steady, open-loop HTTP load on the conversation service: turns are started on a
 * fixed schedule whether or not earlier ones have answered, as a service's incoming
 * traffic would be. A slow service therefore shows up as latency and as requests
 * piling up, never as a quietly lower rate. Used by the demo and by the tests.
 */
import { Pool } from 'undici';
import { ConversationBook, type TurnCheck } from './conversations.js';

export interface Answered {
  /** HTTP status, or undefined when no answer came (connection refused, reset). */
  readonly status: number | undefined;
  readonly latencyMs: number;
  readonly cacheStatus: string | undefined;
  readonly check: TurnCheck | undefined;
  /** Why no answer came, or the body of a non-2xx answer. */
  readonly problem: string | undefined;
}

/** How often the scheduler wakes up to start the requests that are due. */
const TICK_MS = 10;
const CONNECTIONS = 32;

export class HttpLoad {
  private readonly pool: Pool;
  private readonly book = new ConversationBook();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private startedAt = 0;

  constructor(
    baseUrl: string,
    private readonly requestsPerSecond: number,
    private readonly onAnswer: (answer: Answered) => void,
  ) {
    this.pool = new Pool(baseUrl, { connections: CONNECTIONS });
  }

  start(): void {
    this.startedAt = performance.now();
    this.started = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops starting requests, waits for every started one, and closes the connections. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
    await this.pool.close();
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.requestsPerSecond);
    while (this.started < due) {
      this.started++;
      const request = this.turn();
      // Each turn handles its own errors; this only tracks when it is done.
      this.inFlight.add(request);
      const done = () => {
        this.inFlight.delete(request);
      };
      request.then(done, done);
    }
  }

  private async turn(): Promise<void> {
    const conversation = this.book.claim();
    if (conversation === undefined) return;
    const started = performance.now();
    let answer: Answered;
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: '/v1/mcp/conversation',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(conversation.body),
      });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const parsed = ok ? (JSON.parse(text) as { turn: number; cache_status: string }) : undefined;
      answer = {
        status: response.statusCode,
        latencyMs,
        cacheStatus: parsed?.cache_status,
        check: parsed ? this.book.answered(conversation.key, parsed.turn) : undefined,
        problem: ok ? undefined : `${response.statusCode} ${text.slice(0, 200)}`,
      };
    } catch (error) {
      answer = {
        status: undefined,
        latencyMs: performance.now() - started,
        cacheStatus: undefined,
        check: undefined,
        problem: error instanceof Error ? error.message : String(error),
      };
    } finally {
      this.book.release(conversation.key);
    }
    this.onAnswer(answer);
  }
}
