/**
 * JSON schemas of the API, checked by fastify before a handler runs: a request that
 * does not match gets a 400 naming the field. Identifiers are restricted to a safe
 * alphabet because they become parts of cache keys; sizes are bounded so that one
 * request cannot grow a conversation state without limit.
 */

const identifier = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;

export interface ConversationBody {
  query: string;
  user_id: string;
  market_id: string;
  conversation_id?: string;
  conversation_context?: {
    previous_purchases?: string[];
    preferences?: string[];
  };
}

export const conversationBodySchema = {
  type: 'object',
  required: ['query', 'user_id', 'market_id'],
  additionalProperties: false,
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 2000 },
    user_id: identifier,
    market_id: { type: 'string', pattern: '^[a-z]{2}$' },
    conversation_id: identifier,
    conversation_context: {
      type: 'object',
      additionalProperties: false,
      properties: {
        previous_purchases: { type: 'array', maxItems: 100, items: identifier },
        preferences: {
          type: 'array',
          maxItems: 20,
          items: { type: 'string', minLength: 1, maxLength: 64 },
        },
      },
    },
  },
} as const;

export interface ConversationParams {
  id: string;
}

export interface ConversationQuery {
  user_id: string;
}

export const conversationParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: identifier },
} as const;

export const conversationQuerySchema = {
  type: 'object',
  required: ['user_id'],
  additionalProperties: false,
  properties: { user_id: identifier },
} as const;

/** The largest request body accepted, in bytes: ample for the schema's limits. */
export const BODY_LIMIT_BYTES = 64 * 1024;
