/**
 * `POST /v1/mcp/conversation`: one turn of a conversation. Loads or starts the state,
 * gets recommendations through the cache, composes the answer, saves the state and
 * says whether the primary cache backend served (`cache_status`).
 * `GET /v1/mcp/conversation/:id?user_id=…`: the saved state, or 404.
 */
import { randomUUID } from 'node:crypto';
import type { ResilientStore } from '@resilient-store/core';
import type { FastifyInstance } from 'fastify';
import { composeAnswer } from './answer.js';
import {
  appendTurn,
  CONVERSATION_TTL,
  type ConversationState,
  conversationKey,
  RECOMMENDATIONS_TTL,
  recommendationsKey,
} from './conversation.js';
import { recommend, topicOf } from './recommend.js';
import {
  type ConversationBody,
  type ConversationParams,
  type ConversationQuery,
  conversationBodySchema,
  conversationParamsSchema,
  conversationQuerySchema,
} from './schemas.js';
import type { CacheStatus } from './traffic.js';

export interface ConversationRouteOptions {
  readonly store: ResilientStore;
  readonly answerDelayMs: number;
  /** Told which backend kind served each answered turn, for the status page. */
  readonly noteCacheStatus: (request: object, status: CacheStatus) => void;
}

/** Whether the first backend of the chain serves now, or a fallback does. */
export function cacheStatus(store: ResilientStore): CacheStatus {
  return store.health().status === 'ok' ? 'primary' : 'fallback_active';
}

export function registerConversationRoutes(
  app: FastifyInstance,
  { store, answerDelayMs, noteCacheStatus }: ConversationRouteOptions,
): void {
  app.post<{ Body: ConversationBody }>(
    '/v1/mcp/conversation',
    { schema: { body: conversationBodySchema } },
    async (request) => {
      const started = performance.now();
      const body = request.body;
      const userId = body.user_id;
      const conversationId = body.conversation_id ?? randomUUID();
      const key = conversationKey(userId, conversationId);
      const context = body.conversation_context ?? {};

      const previous = await store.get<ConversationState>(key);
      const recommendations = await store.getOrSet(
        recommendationsKey(userId, topicOf(body.query)),
        () =>
          recommend({
            query: body.query,
            marketId: body.market_id,
            previousPurchases: context.previous_purchases ?? [],
            preferences: context.preferences ?? [],
          }),
        { ttl: RECOMMENDATIONS_TTL },
      );
      const turn = (previous?.turns ?? 0) + 1;
      const answer = await composeAnswer(recommendations, turn, answerDelayMs);
      const state = appendTurn(previous, {
        userId,
        conversationId,
        marketId: body.market_id,
        query: body.query,
        answer,
        recommendations,
        now: new Date(),
      });
      await store.set(key, state, { ttl: CONVERSATION_TTL });

      const status = cacheStatus(store);
      noteCacheStatus(request, status);
      return {
        answer,
        recommendations,
        conversation_id: conversationId,
        turn: state.turns,
        processing_time_ms: Math.round((performance.now() - started) * 10) / 10,
        cache_status: status,
      };
    },
  );

  app.get<{ Params: ConversationParams; Querystring: ConversationQuery }>(
    '/v1/mcp/conversation/:id',
    { schema: { params: conversationParamsSchema, querystring: conversationQuerySchema } },
    async (request, reply) => {
      const state = await store.get<ConversationState>(
        conversationKey(request.query.user_id, request.params.id),
      );
      noteCacheStatus(request, cacheStatus(store));
      if (state === undefined) {
        return reply
          .code(404)
          .send({ error: 'Not Found', message: 'no such conversation for this user' });
      }
      return state;
    },
  );
}
