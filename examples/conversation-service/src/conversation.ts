/**
 * Conversation state, as kept in the store under `conversation:{user}:{id}` for an
 * hour after its last turn. Only the latest messages are kept: the state is what the
 * next answer needs, not an archive.
 */
import type { Recommendation } from './recommend.js';

export const CONVERSATION_TTL = '1h';
export const RECOMMENDATIONS_TTL = '5m';
const KEPT_MESSAGES = 10;

export interface Message {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly at: string;
}

export interface ConversationState {
  readonly conversation_id: string;
  readonly user_id: string;
  readonly market_id: string;
  /** Turns taken so far, also those whose messages were dropped from `messages`. */
  readonly turns: number;
  readonly messages: readonly Message[];
  readonly last_recommendations: readonly string[];
  readonly updated_at: string;
}

export function conversationKey(userId: string, conversationId: string): string {
  return `conversation:${userId}:${conversationId}`;
}

export function recommendationsKey(userId: string, topic: string): string {
  return `recommendations:${userId}:${topic}`;
}

export interface Turn {
  readonly userId: string;
  readonly conversationId: string;
  readonly marketId: string;
  readonly query: string;
  readonly answer: string;
  readonly recommendations: readonly Recommendation[];
  readonly now: Date;
}

/** The state after one more turn; no previous state starts the conversation. */
export function appendTurn(previous: ConversationState | undefined, turn: Turn): ConversationState {
  const at = turn.now.toISOString();
  return {
    conversation_id: turn.conversationId,
    user_id: turn.userId,
    market_id: turn.marketId,
    turns: (previous?.turns ?? 0) + 1,
    messages: [
      ...(previous?.messages ?? []),
      { role: 'user' as const, text: turn.query, at },
      { role: 'assistant' as const, text: turn.answer, at },
    ].slice(-KEPT_MESSAGES),
    last_recommendations: turn.recommendations.map((r) => r.id),
    updated_at: at,
  };
}
