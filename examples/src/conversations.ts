/**
 * The conversations the load holds with the service: 100 users with 3 conversations
 * each, one turn at a time per conversation (as one person types one message at a
 * time), over a few topics and markets.
 *
 * It also remembers the turn each conversation last reached. The service answers with
 * the turn number; one that restarts at 1 after a saved turn means the state was not
 * found (*lost*), one that goes back means an older state was read (*stale*). That is
 * how the output shows what an outage does to the data, not only to latency.
 */

const USERS = 100;
const CONVERSATIONS_PER_USER = 3;
const MARKETS = ['us', 'uk', 'de', 'fr', 'jp'] as const;
const QUERIES = [
  'wireless headphones with good bass',
  'lightweight trail running shoe',
  'espresso machine for a small kitchen',
  'a travel guide and a good novel',
  'waterproof camera for hiking',
  'ergonomic keyboard for work',
  'tent and sleeping bag for camping',
  'chef knife as a gift',
] as const;
const PREFERENCES = ['wireless', 'lightweight', 'organic', 'waterproof', 'gift', 'portable'];

export interface ConversationTurnBody {
  query: string;
  user_id: string;
  market_id: string;
  conversation_id: string;
  conversation_context: { previous_purchases: string[]; preferences: string[] };
}

export interface ClaimedConversation {
  readonly key: string;
  readonly body: ConversationTurnBody;
}

/** What an answer's turn number says, compared with the turn this load saved last. */
export type TurnCheck = 'fresh' | 'lost' | 'stale';

const pick = <T>(from: readonly T[]): T => from[Math.floor(Math.random() * from.length)]!;

export class ConversationBook {
  private readonly turns = new Map<string, number>();
  private readonly busy = new Set<string>();

  /** A conversation with no turn in progress, claimed until `release`; undefined if none found. */
  claim(): ClaimedConversation | undefined {
    for (let tries = 0; tries < 8; tries++) {
      const user = Math.floor(Math.random() * USERS);
      const conversation = 1 + Math.floor(Math.random() * CONVERSATIONS_PER_USER);
      const userId = `u${String(user).padStart(3, '0')}`;
      const key = `${userId}:c${conversation}`;
      if (this.busy.has(key)) continue;
      this.busy.add(key);
      return {
        key,
        body: {
          query: pick(QUERIES),
          user_id: userId,
          market_id: MARKETS[user % MARKETS.length]!,
          conversation_id: `c${conversation}`,
          conversation_context: {
            previous_purchases: [`p${String((user * 7) % 320).padStart(4, '0')}`],
            preferences: [PREFERENCES[user % PREFERENCES.length]!],
          },
        },
      };
    }
    return undefined;
  }

  release(key: string): void {
    this.busy.delete(key);
  }

  /** Records the turn the service answered with and says how it compares. */
  answered(key: string, turn: number): TurnCheck {
    const saved = this.turns.get(key);
    this.turns.set(key, turn);
    if (saved === undefined || turn === saved + 1) return 'fresh';
    return turn === 1 ? 'lost' : 'stale';
  }
}
