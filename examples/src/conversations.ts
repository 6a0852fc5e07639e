/**
 * The data of the example service: conversation state per user and conversation
 * (`conversation:{user}:{id}`, kept 1 h) and recommendations per user (`recs:{user}`,
 * kept 5 min, computed by a deliberately slow loader).
 *
 * The demo also remembers, per conversation, how many turns it last saved. A later read
 * that finds fewer turns is a *stale* read; one that finds nothing is a *lost* state.
 * That is how the output shows what an outage does to the data, not only to latency.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const CONVERSATION_TTL = '1h';
export const RECS_TTL = '5m';

const USERS = 100;
const CONVERSATIONS_PER_USER = 3;
/** Only the latest messages are kept in the state; older ones would live in a database. */
const KEPT_MESSAGES = 4;

export interface ConversationState {
  user: string;
  id: number;
  turns: number;
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
}

export interface Recommendations {
  user: string;
  items: string[];
  computedAt: string;
}

export function userName(index: number): string {
  return `u${String(index).padStart(3, '0')}`;
}

export function randomUser(): string {
  return userName(Math.floor(Math.random() * USERS));
}

export function conversationKey(user: string, id: number): string {
  return `conversation:${user}:${id}`;
}

export function recsKey(user: string): string {
  return `recs:${user}`;
}

/** The state after one more turn; a missing state starts a new conversation. */
export function nextTurn(
  previous: ConversationState | undefined,
  user: string,
  id: number,
): ConversationState {
  const turns = (previous?.turns ?? 0) + 1;
  const messages = [
    ...(previous?.messages ?? []),
    { role: 'user' as const, text: `question ${turns}` },
    { role: 'assistant' as const, text: `answer ${turns}` },
  ].slice(-KEPT_MESSAGES);
  return { user, id, turns, messages };
}

/** What a read found, compared with what this process saved last. */
export type ReadCheck = 'fresh' | 'new' | 'lost' | 'stale';

/**
 * Which conversations are in a turn right now (one turn at a time per conversation,
 * as one user types one message at a time) and what each turn saved.
 */
export class ConversationBook {
  private readonly saved = new Map<string, number>();
  private readonly busy = new Set<string>();

  /** A conversation with no turn in progress, claimed until `release`; undefined if none found. */
  claim(): { user: string; id: number; key: string } | undefined {
    for (let tries = 0; tries < 8; tries++) {
      const user = randomUser();
      const id = 1 + Math.floor(Math.random() * CONVERSATIONS_PER_USER);
      const key = conversationKey(user, id);
      if (this.busy.has(key)) continue;
      this.busy.add(key);
      return { user, id, key };
    }
    return undefined;
  }

  release(key: string): void {
    this.busy.delete(key);
  }

  check(key: string, read: ConversationState | undefined): ReadCheck {
    const saved = this.saved.get(key);
    if (saved === undefined) return read === undefined ? 'new' : 'fresh';
    if (read === undefined) return 'lost';
    return read.turns < saved ? 'stale' : 'fresh';
  }

  recordSave(key: string, state: ConversationState): void {
    this.saved.set(key, state.turns);
  }
}

/** The slow computation the cache is there to avoid: 60-100 ms per user. */
export async function computeRecommendations(user: string): Promise<Recommendations> {
  await sleep(60 + Math.random() * 40);
  const seed = Number.parseInt(user.slice(1), 10);
  return {
    user,
    items: Array.from({ length: 5 }, (_, i) => `item-${(seed * 7 + i * 13) % 1000}`),
    computedAt: new Date().toISOString(),
  };
}
