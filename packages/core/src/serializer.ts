/**
 * Turns values into bytes and back. The store wraps the serializer's output in an
 * envelope (see envelope.ts); a serializer sees only the caller's value.
 */
export interface Serializer {
  /** Throws `SerializationError` for values it cannot encode. */
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
}
// TODO(core-values): jsonSerializer
